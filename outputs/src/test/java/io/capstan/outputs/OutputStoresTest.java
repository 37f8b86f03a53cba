package io.capstan.outputs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputStoresTest {
  private static final String DIGEST = "a".repeat(64);

  @TempDir Path dir;

  @Test
  void keysEncodeEverySegmentSoNoneClimbsOut() {
    assertThat(OutputKeys.of("run-1", "build", DIGEST)).isEqualTo("runs/run-1/build/" + DIGEST);
    assertThat(OutputKeys.of("../etc", "a/b", DIGEST)).isEqualTo("runs/%2E.%2Fetc/a%2Fb/" + DIGEST);
    assertThat(OutputKeys.of("..", ".", DIGEST)).isEqualTo("runs/%2E./%2E/" + DIGEST);
    assertThatThrownBy(() -> OutputKeys.of("r", "t", "xyz")).hasMessageContaining("SHA-256");
    assertThatThrownBy(() -> OutputKeys.checked("runs/../../etc/passwd/" + DIGEST))
        .hasMessageContaining("not an output key");
    assertThatThrownBy(() -> OutputKeys.checked("/etc/passwd")).hasMessageContaining("not an");
  }

  @Test
  void theLocalStoreWritesWholeObjectsAndReadsThemBack() throws IOException {
    OutputStore store = OutputStores.of(null, dir, Map.of());
    assertThat(store.describe()).isEqualTo("folder " + dir.resolve("outputs"));
    Path file = Files.writeString(dir.resolve("out"), "hello, outputs");
    String key = OutputKeys.of("run", "task", DIGEST);
    store.put(key, file);
    store.put(key, file);
    try (InputStream in = store.open(key)) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello, outputs");
    }
    try (var listing = Files.list(dir.resolve("outputs/runs/run/task"))) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly(DIGEST);
    }
    assertThatThrownBy(() -> store.open(OutputKeys.of("run", "other", DIGEST)))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void addressesNameTheirStoreOrSayWhatToWrite() {
    assertThat(OutputStores.of(dir.toString(), Path.of("/unused"), Map.of()).describe())
        .isEqualTo("folder " + dir);
    assertThat(OutputStores.of(dir.toUri().toString(), Path.of("/unused"), Map.of()).describe())
        .isEqualTo("folder " + dir);
    assertThat(
            OutputStores.of("s3://bucket/some/prefix", dir, Map.of("AWS_REGION", "eu-west-1"))
                .describe())
        .isEqualTo("s3://bucket/some/prefix/");
    assertThatThrownBy(() -> OutputStores.of("s3:///x", dir, Map.of()))
        .hasMessageContaining("names no bucket");
    assertThatThrownBy(() -> OutputStores.of("gs://bucket", dir, Map.of()))
        .hasMessageContaining("use s3://BUCKET[/PREFIX], file:/PATH or a folder path");
    assertThatThrownBy(
            () -> OutputStores.of("s3://b", dir, Map.of(OutputStores.S3_ENDPOINT_ENV, "nope")))
        .hasMessageContaining("CAPSTAN_S3_ENDPOINT 'nope' is not a URL");
  }
}
