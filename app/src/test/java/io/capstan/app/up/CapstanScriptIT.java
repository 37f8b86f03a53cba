package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The README's tour, end to end, through the {@code ./capstan} launcher script as a person runs it:
 * {@code up} in one process, then {@code submit}, {@code watch}, {@code cancel} and {@code get} as
 * separate commands over HTTP. Runs after packaging (Failsafe), so the script finds a fresh build
 * and does not build again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapstanScriptIT {
  private static final Pattern RUN_ID = Pattern.compile("submitted (pipeline-[a-z0-9-]+)");

  private final Path root = Path.of("..").toAbsolutePath().normalize();
  private final Path logs = Path.of("target", "capstan-script-it").toAbsolutePath();
  private Process up;
  private String api;
  private long devServerPid;

  /**
   * Starts {@code ./capstan up} as its default, the dev server, on free ports with its state under
   * target/ (./test.sh installed the Temporal CLI where the script finds it).
   */
  @BeforeAll
  void startCapstanUp() throws Exception {
    TemporalBinary.require();
    Files.createDirectories(logs);
    int apiPort = FreePorts.next();
    int temporalPort = FreePorts.next();
    int uiPort = FreePorts.next();
    Path state = logs.resolve("state-" + System.nanoTime());
    api = "http://127.0.0.1:" + apiPort;
    Path log = logs.resolve("up.log");
    up =
        new ProcessBuilder(
                "bash",
                root.resolve("capstan").toString(),
                "up",
                "--port",
                Integer.toString(apiPort),
                "--temporal-port",
                Integer.toString(temporalPort),
                "--ui-port",
                Integer.toString(uiPort),
                "--state-dir",
                state.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    // Done waiting once the banner is there, or once capstan up exited and will print no more.
    String started =
        Eventually.get(
            Duration.ofMinutes(2),
            () -> {
              String text = Files.readString(log);
              assertThat(text.contains("Press Ctrl-C to stop.") || !up.isAlive())
                  .as("capstan up printed its banner:%n%s", text)
                  .isTrue();
              return text;
            });
    assertThat(up.isAlive()).as("capstan up exited early:%n%s", started).isTrue();
    assertThat(Files.readString(log))
        .contains("namespace default (dev-server)")
        .contains("Web UI     http://127.0.0.1:" + uiPort);
    Properties pids = new Properties();
    try (var in = Files.newBufferedReader(state.resolve(DevServer.PID_FILE))) {
      pids.load(in);
    }
    devServerPid = Long.parseLong(pids.getProperty("server"));
  }

  @AfterAll
  void stopCapstanUp() throws Exception {
    if (up != null) {
      up.destroy();
      if (!up.waitFor(30, TimeUnit.SECONDS)) {
        up.destroyForcibly();
      }
    }
    assertThat(ProcessHandle.of(devServerPid).filter(ProcessHandle::isAlive))
        .as("the dev server stops with capstan up")
        .isEmpty();
  }

  @Test
  @DisplayName("a submitted example pipeline can be watched to completion with every task shown")
  void submitAndWatchToCompletion() throws Exception {
    Result submit =
        capstan(
            "submit.log",
            "submit",
            "definitions/examples/hello-pipeline.yaml",
            "-p",
            "region=us-east");
    assertThat(submit.exitCode()).as(submit.output()).isZero();
    String id = runId(submit.output());
    assertThat(id).startsWith("pipeline-default-hello-pipeline-");

    Result watch = capstan("watch.log", "watch", id);
    assertThat(watch.exitCode()).as(watch.output()).isZero();
    assertThat(watch.output())
        .contains("COMPLETED")
        .contains("fetch-customers", "fetch-orders", "join", "enrich", "publish");

    Result get = capstan("get.log", "get", id);
    assertThat(get.exitCode()).as(get.output()).isZero();
    assertThat(get.output())
        .contains("\"status\" : \"COMPLETED\"")
        .contains("published customers-us-east+orders-2025-01-01 with products-us-east");
  }

  @Test
  @DisplayName("a long pipeline canceled from the CLI ends CANCELED")
  void cancelALongPipeline() throws Exception {
    Result submit = capstan("submit-long.log", "submit", "definitions/examples/long-pipeline.yaml");
    assertThat(submit.exitCode()).as(submit.output()).isZero();
    String id = runId(submit.output());

    Result cancel = capstan("cancel.log", "cancel", id);
    assertThat(cancel.exitCode()).as(cancel.output()).isZero();

    Result watch = capstan("watch-canceled.log", "watch", id);
    assertThat(watch.exitCode()).as("watch exits non-zero for a run that did not complete").isOne();
    assertThat(watch.output()).contains("CANCELED");
  }

  private record Result(int exitCode, String output) {}

  private Result capstan(String logName, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", root.resolve("capstan").toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--api", api));
    Path log = logs.resolve(logName);
    Process process =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("capstan " + String.join(" ", args) + " did not finish in time");
    }
    return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static String runId(String submitOutput) {
    Matcher m = RUN_ID.matcher(submitOutput);
    assertThat(m.find()).as("no run id in:%n%s", submitOutput).isTrue();
    return m.group(1);
  }
}
