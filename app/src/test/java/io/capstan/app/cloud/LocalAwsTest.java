package io.capstan.app.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code up} reports its simulated AWS while it installs and starts, with a stand-in install
 * script in a checkout of its own (the real one is run by {@code ./test.sh}, and {@code LocalAwsIT}
 * starts the real moto).
 */
class LocalAwsTest {
  @TempDir Path home;

  @Test
  @DisplayName(
      "installing shows the install's latest line, then starting, then failed with the end of"
          + " moto's log; onReady is not called")
  void installThenStartFails() throws Exception {
    script(
        """
        #!/usr/bin/env bash
        echo "installing moto[server] 5.2.5 into $PWD/.capstan/tools/moto (pip, from PyPI)…"
        bin=.capstan/tools/moto/bin
        mkdir -p "$bin"
        printf '#!/bin/sh\\necho "no moto in this checkout" >&2\\nexit 3\\n' > "$bin/python"
        cp "$bin/python" "$bin/moto_server"
        chmod +x "$bin/python" "$bin/moto_server"
        echo "installed moto 5.2.5 into $PWD/.capstan/tools/moto in 0s"
        """);
    List<LocalAws.Info> changes = new CopyOnWriteArrayList<>();
    AtomicBoolean ready = new AtomicBoolean();
    try (LocalAws aws =
        new LocalAws(
            new LocalAws.Options(home, home.resolve("state/aws")),
            started -> ready.set(true),
            changes::add)) {
      aws.begin();
      LocalAws.Info failed =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(aws::info, i -> i.state() == LocalAws.State.FAILED);

      assertThat(failed.detail())
          .contains("exited with code 3")
          .contains("no moto in this checkout");
      assertThat(failed.endpoint()).isNull();
      assertThat(failed.region()).isEqualTo("us-west-2");
      assertThat(changes)
          .extracting(LocalAws.Info::state)
          .startsWith(LocalAws.State.INSTALLING)
          .contains(LocalAws.State.STARTING)
          .endsWith(LocalAws.State.FAILED);
      assertThat(changes)
          .extracting(LocalAws.Info::detail)
          .anySatisfy(d -> assertThat(d).startsWith("installing moto[server] 5.2.5 into"));
      assertThat(ready).isFalse();
      assertThat(Files.readString(home.resolve("state/aws/install.log")))
          .contains("installed moto 5.2.5");
      assertThat(home.resolve("state/aws/moto.log")).exists();
    }
  }

  @Test
  @DisplayName("a failed install is reported with its exit code, its log and its last lines")
  void installFails() throws Exception {
    script(
        """
        #!/usr/bin/env bash
        echo "installing moto[server] 5.2.5 (pip, from PyPI)…"
        echo "install-moto: Python 3.9 or newer with its venv module is needed" >&2
        exit 1
        """);
    try (LocalAws aws =
        new LocalAws(new LocalAws.Options(home, home.resolve("state/aws")), a -> {}, i -> {})) {
      aws.begin();
      LocalAws.Info failed =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(aws::info, i -> i.state() == LocalAws.State.FAILED);

      assertThat(failed.detail())
          .contains("install-moto.sh failed with exit code 1")
          .contains("install.log")
          .contains("Python 3.9 or newer");
    }
  }

  private void script(String text) throws Exception {
    Path scripts = Files.createDirectories(home.resolve("scripts"));
    Path script = scripts.resolve("install-moto.sh");
    Files.writeString(script, text);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
