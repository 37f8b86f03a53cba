package io.capstan.e2e;

import io.capstan.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Capstan as a separate JVM: {@code capstan up --temporal ...}, the API and the control-plane
 * worker against a {@link DevServer}, started from this test JVM's classpath. It can be killed with
 * SIGKILL, as {@code kill -9} would, and started again on the same port.
 */
final class CapstanProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(100);

  private final DevServer temporal;
  private final Path log;
  private final Path tmp;
  private final int apiPort = FreePorts.next();
  private final Api api = new Api("http://127.0.0.1:" + apiPort);
  private final List<ProcessHandle> orphans = new ArrayList<>();
  private Process process;

  private CapstanProcess(DevServer temporal, Path log, Path tmp) {
    this.temporal = temporal;
    this.log = log;
    this.tmp = tmp;
  }

  /**
   * Starts Capstan against {@code temporal} and waits until its API answers. Its temporary files
   * (the scratch folders of shell tasks, which a killed worker leaves behind) go to {@code tmp}.
   */
  static CapstanProcess start(DevServer temporal, Path log, Path tmp) {
    CapstanProcess capstan = new CapstanProcess(temporal, log, tmp);
    capstan.launch();
    return capstan;
  }

  Api api() {
    return api;
  }

  long pid() {
    return process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /**
   * SIGKILL ({@code Process.destroyForcibly()} sends it on Linux): no shutdown hook runs, the
   * worker reports nothing to Temporal. The shell tasks it started live on, as they would after a
   * real {@code kill -9}; they are remembered so that {@link #close()} ends them.
   */
  void kill() {
    orphans.addAll(process.descendants().toList());
    Reaper.kill(process.toHandle());
  }

  /** Starts Capstan again on the same API port. */
  void restart() {
    if (alive()) {
      throw new IllegalStateException("Capstan still runs; kill() it first");
    }
    launch();
  }

  @Override
  public void close() {
    if (process != null) {
      Reaper.stop(process.toHandle(), STOP_GRACE);
    }
    orphans.forEach(ProcessHandle::destroyForcibly);
  }

  private void launch() {
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            // Two cores are shared by the dev server, Capstan and the tests: start quickly and
            // keep the collector out of the way.
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Djava.io.tmpdir=" + tmp,
            "-cp",
            System.getProperty("java.class.path"),
            "io.capstan.app.CapstanMain",
            "up",
            "--temporal",
            temporal.address(),
            "--temporal-ui",
            temporal.uiUrl(),
            "--port",
            Integer.toString(apiPort));
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Capstan", e);
    }
    Reaper.track(process.toHandle());
    try {
      awaitHealthy();
    } catch (RuntimeException | Error e) {
      Reaper.kill(process.toHandle());
      throw e;
    }
  }

  /** Waits for {@code /healthz}; a process that exits meanwhile fails the test at once. */
  private void awaitHealthy() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!api.healthy()) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "Capstan exited with " + process.exitValue() + ":\n" + Logs.tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "Capstan's /healthz did not answer within "
                + READY_TIMEOUT.toSeconds()
                + " s:\n"
                + Logs.tail(log));
      }
      RealTime.pass(POLL);
    }
  }
}
