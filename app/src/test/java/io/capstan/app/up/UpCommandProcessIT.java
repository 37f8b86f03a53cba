package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.app.kube.LocalCluster;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code capstan up} as its own process, the way the launcher script starts it: the banner, the API
 * answering, and a clean stop on SIGTERM.
 */
class UpCommandProcessIT {
  @TempDir Path dir;
  private Process process;

  @AfterEach
  void kill() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
    }
  }

  @Test
  @DisplayName(
      "without a temporal binary anywhere, up falls back to the Java test server, says what that"
          + " lacks and how to get the dev server, says why there is no Kubernetes, and stops"
          + " cleanly on SIGTERM")
  void fallsBackToTheTestServer() throws Exception {
    int apiPort = FreePorts.next();
    int temporalPort = FreePorts.next();
    Path home = Files.createDirectories(dir.resolve("empty-checkout"));
    Path log = dir.resolve("up.log");
    ProcessBuilder builder =
        up(home, "--port", Integer.toString(apiPort), "--temporal-port", "" + temporalPort);
    builder.environment().remove(TemporalCli.ENV);
    builder.environment().put("PATH", Files.createDirectories(dir.resolve("no-bin")).toString());
    process = builder.redirectErrorStream(true).redirectOutput(log.toFile()).start();

    String banner = awaitLog(log, "Press Ctrl-C to stop.", Duration.ofSeconds(90));
    assertThat(banner)
        .contains("API        http://127.0.0.1:" + apiPort)
        .contains("Temporal   127.0.0.1:" + temporalPort + ", namespace default (test-server)")
        .contains(UpCommand.TEST_SERVER_LIMITS)
        .contains("Note       no temporal binary was found")
        .contains("./scripts/install-temporal-cli.sh installs the Temporal CLI")
        .contains("Executors  simulate, shell")
        .contains(
            "Workers    control-plane on capstan-control-plane, tasks on capstan-tasks,"
                + " infrastructure on capstan-infrastructure, gpu on capstan-gpu@HOST (more: capstan"
                + " worker --role tasks)")
        .contains("GPUs       2 simulated hosts × 4 devices (sim-gpu-0, sim-gpu-1)")
        // A checkout with neither the Kubernetes binaries nor the script to build them: up goes
        // on without container tasks and says why.
        .contains(
            "Kubernetes failed: the local Kubernetes binaries are missing from "
                + home.resolve(".capstan/tools/kubernetes/bin"))
        .contains("start with --kubeconfig PATH or --no-local-infra")
        .doesNotContain("Web UI     ");
    assertThat(new Http("http://127.0.0.1:" + apiPort).get("/healthz").statusCode()).isEqualTo(200);

    process.destroy();

    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("stopping Capstan...\nstopped\n");
  }

  @Test
  @DisplayName(
      "on the dev server, up prints the Web UI, the state file and the stock CLI command, and"
          + " SIGTERM stops the dev server and the local Kubernetes processes too")
  void devServerBannerAndStop() throws Exception {
    // A checkout whose tools folder has the Kubernetes binaries (those ./test.sh installed).
    Path bin = dir.resolve(".capstan/tools/kubernetes/bin");
    Files.createDirectories(bin.getParent());
    Files.createSymbolicLink(bin, LocalCluster.binDir());
    int apiPort = FreePorts.next();
    int temporalPort = FreePorts.next();
    int uiPort = FreePorts.next();
    Path state = dir.resolve("state");
    Path log = dir.resolve("up.log");
    process =
        up(
                dir,
                "--port",
                Integer.toString(apiPort),
                "--temporal-port",
                Integer.toString(temporalPort),
                "--ui-port",
                Integer.toString(uiPort),
                "--state-dir",
                state.toString(),
                "--temporal-cli",
                TemporalBinary.require().toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();

    String banner = awaitLog(log, "Press Ctrl-C to stop.", Duration.ofSeconds(90));
    assertThat(banner)
        .contains("API        http://127.0.0.1:" + apiPort)
        .contains("Temporal   127.0.0.1:" + temporalPort + ", namespace default (dev-server)")
        .contains("Web UI     http://127.0.0.1:" + uiPort)
        .contains("State      " + state.resolve("temporal.db"))
        .contains(
            "CLI        temporal --address 127.0.0.1:"
                + temporalPort
                + " workflow list --query \"CapstanKind='Pipeline'\"")
        .doesNotContain(UpCommand.TEST_SERVER_LIMITS);
    long serverPid = serverPid(state);
    assertThat(ProcessHandle.of(serverPid).filter(ProcessHandle::isAlive)).isPresent();
    assertThat(DevServerIT.httpStatus("http://127.0.0.1:" + uiPort)).isEqualTo(200);
    awaitLog(log, "Kubernetes ready (local): https://127.0.0.1:", Duration.ofSeconds(90));
    Path kube = state.resolve("kubernetes");
    List<Long> kubePids = new ArrayList<>();
    for (String stem : List.of("etcd", "kube-apiserver", "kube-scheduler", "kwok")) {
      kubePids.add(pidIn(kube.resolve(stem + ".pid")));
    }
    assertThat(kubePids)
        .allSatisfy(
            pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isPresent());

    process.destroy();

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(log)).contains("stopping Capstan...\nstopped\n");
    assertThat(ProcessHandle.of(serverPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(state.resolve(DevServer.PID_FILE)).doesNotExist();
    assertThat(kubePids)
        .allSatisfy(
            pid -> assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty());
    assertThat(kube.resolve("kube-apiserver.pid")).doesNotExist();
  }

  /** {@code capstan up} in a JVM of its own, with the launcher script's home property. */
  private static ProcessBuilder up(Path home, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + CapstanHome.PROPERTY + "=" + home,
                "-cp",
                System.getProperty("java.class.path"),
                "io.capstan.app.CapstanMain",
                "up"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  private static long serverPid(Path state) throws IOException {
    return pidIn(state.resolve(DevServer.PID_FILE));
  }

  /** The process a managed process's pid file names. */
  private static long pidIn(Path pidFile) throws IOException {
    Properties pids = new Properties();
    try (var in = Files.newBufferedReader(pidFile)) {
      pids.load(in);
    }
    return Long.parseLong(pids.getProperty("server"));
  }

  /** The log once it has {@code line}; done waiting early when the process exits. */
  private String awaitLog(Path log, String line, Duration timeout) {
    String text =
        Eventually.get(
            timeout,
            () -> {
              String current = read(log);
              assertThat(current.contains(line) || !process.isAlive())
                  .as("'%s' in %s:%n%s", line, log, current)
                  .isTrue();
              return current;
            });
    if (!text.contains(line)) {
      throw new AssertionError("capstan up exited with " + process.exitValue() + ":\n" + text);
    }
    return text;
  }

  private static String read(Path log) throws IOException {
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
