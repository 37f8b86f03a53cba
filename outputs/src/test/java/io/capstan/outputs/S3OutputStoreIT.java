package io.capstan.outputs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.testkit.MotoServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The S3 store through the real AWS SDK against a real moto_server on loopback. */
class S3OutputStoreIT {
  private static MotoServer moto;

  @TempDir Path dir;

  @BeforeAll
  static void startMoto() throws IOException {
    moto = MotoServer.start().useForAwsSdk();
    try (S3Client s3 =
        S3Client.builder()
            .endpointOverride(moto.endpoint())
            .forcePathStyle(true)
            .region(Region.of(MotoServer.REGION))
            .build()) {
      s3.createBucket(b -> b.bucket("capstan-outputs"));
    }
  }

  @AfterAll
  static void stopMoto() {
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  void storesAndReadsBackTwentyMebibytesByteForByte() throws Exception {
    OutputStore store =
        OutputStores.of(
            "s3://capstan-outputs/team-a",
            dir,
            Map.of(OutputStores.S3_ENDPOINT_ENV, moto.endpoint().toString()));
    byte[] bytes = new byte[20 * 1024 * 1024];
    new Random(7).nextBytes(bytes);
    Path file = Files.write(dir.resolve("big"), bytes);
    String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    String key = OutputKeys.of("run-1", "render", digest);

    store.put(key, file);

    try (InputStream in = store.open(key)) {
      assertThat(in.readAllBytes()).isEqualTo(bytes);
    }
    assertThat(store.describe()).isEqualTo("s3://capstan-outputs/team-a/");
    assertThatThrownBy(() -> store.open(OutputKeys.of("run-1", "missing", digest)))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("s3://capstan-outputs/team-a/runs/run-1/missing/");
  }
}
