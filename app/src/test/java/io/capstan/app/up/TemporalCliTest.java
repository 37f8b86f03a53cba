package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the dev server's {@code temporal} binary comes from. */
class TemporalCliTest {
  @TempDir Path dir;
  private Path flag;
  private Path fromEnv;
  private Path home;
  private Path pathDir;

  @BeforeEach
  void binariesEverywhere() throws IOException {
    flag = executable(dir.resolve("flag/temporal"));
    fromEnv = executable(dir.resolve("env/temporal"));
    home = dir.resolve("checkout");
    executable(CapstanHome.toolsTemporal(home));
    pathDir = dir.resolve("path-bin");
    executable(pathDir.resolve("temporal"));
  }

  @Test
  @DisplayName(
      "the binary is looked for in the documented order: --temporal-cli, CAPSTAN_TEMPORAL_CLI,"
          + " the tools folder, then the PATH")
  void documentedOrder() throws IOException {
    Map<String, String> env = new HashMap<>();
    env.put(TemporalCli.ENV, fromEnv.toString());
    env.put("PATH", dir.resolve("empty") + ":" + pathDir);

    assertThat(TemporalCli.locate(flag, env, home))
        .contains(new TemporalCli.Found(flag, "--temporal-cli"));
    assertThat(TemporalCli.locate(null, env, home))
        .contains(new TemporalCli.Found(fromEnv, TemporalCli.ENV));

    env.remove(TemporalCli.ENV);
    assertThat(TemporalCli.locate(null, env, home))
        .contains(new TemporalCli.Found(CapstanHome.toolsTemporal(home), "tools folder"));

    Files.delete(CapstanHome.toolsTemporal(home));
    TemporalCli.Found onPath = TemporalCli.locate(null, env, home).orElseThrow();
    assertThat(onPath.binary()).isEqualTo(pathDir.resolve("temporal"));
    assertThat(onPath.onPath()).isTrue();

    env.put("PATH", dir.resolve("empty").toString());
    assertThat(TemporalCli.locate(null, env, home)).isEmpty();
  }

  @Test
  @DisplayName("a file on the PATH that is not executable is passed over")
  void nonExecutableOnPathIsSkipped() throws IOException {
    Path plain = dir.resolve("plain");
    Files.createDirectories(plain);
    Files.writeString(plain.resolve("temporal"), "not a program");
    Files.delete(CapstanHome.toolsTemporal(home));

    assertThat(TemporalCli.locate(null, Map.of("PATH", plain + ":" + pathDir), home))
        .map(TemporalCli.Found::binary)
        .contains(pathDir.resolve("temporal"));
  }

  @Test
  @DisplayName(
      "--temporal-cli or CAPSTAN_TEMPORAL_CLI naming no executable is an error, not a reason to"
          + " use another binary")
  void namedBinaryMustExist() {
    Path missing = dir.resolve("nowhere/temporal");

    assertThatThrownBy(() -> TemporalCli.locate(missing, Map.of(), home))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--temporal-cli names " + missing + ", which is not an executable file");
    assertThatThrownBy(
            () -> TemporalCli.locate(null, Map.of(TemporalCli.ENV, missing.toString()), home))
        .hasMessage("CAPSTAN_TEMPORAL_CLI names " + missing + ", which is not an executable file");
  }

  private static Path executable(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }
}
