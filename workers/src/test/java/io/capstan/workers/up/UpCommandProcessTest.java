package io.capstan.workers.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capstan up} as its own process, the way the launcher script starts it: the banner, the API
 * answering, and a clean stop on SIGTERM.
 */
class UpCommandProcessTest {
  @TempDir Path dir;
  private Process process;

  @AfterEach
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Test
  @DisplayName("capstan up prints where everything is, serves the API and stops cleanly on SIGTERM")
  void upServesAndStopsOnSigterm() throws Exception {
    int apiPort = FreePorts.next();
    int temporalPort = FreePorts.next();
    Path log = dir.resolve("up.log");
    process =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.capstan.workers.CapstanMain",
                    "up",
                    "--port",
                    Integer.toString(apiPort),
                    "--temporal-port",
                    Integer.toString(temporalPort)))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    String banner = awaitLog(log, "Press Ctrl-C to stop.", Duration.ofSeconds(90));
    assertThat(banner)
        .contains("API        http://127.0.0.1:" + apiPort)
        .contains("Temporal   127.0.0.1:" + temporalPort + ", namespace default (test-server)")
        .contains(UpCommand.TEST_SERVER_LIMITS)
        .contains("Executors  simulate, shell");
    assertThat(new Http("http://127.0.0.1:" + apiPort).get("/healthz").statusCode()).isEqualTo(200);

    process.destroy();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("stopping Capstan...\nstopped\n");
  }

  private String awaitLog(Path log, String line, Duration timeout) throws Exception {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      String text = read(log);
      if (text.contains(line)) {
        return text;
      }
      if (!process.isAlive()) {
        throw new AssertionError("capstan up exited with " + process.exitValue() + ":\n" + text);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no '" + line + "' within " + timeout + ":\n" + read(log));
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
