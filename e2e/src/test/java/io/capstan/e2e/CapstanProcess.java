package io.capstan.e2e;

import io.capstan.app.process.ManagedProcess;
import io.capstan.testkit.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Capstan as a separate JVM: {@code capstan up --temporal ...}, the API and the control-plane
 * worker against a {@link TemporalServer}, started from this test JVM's classpath as a {@link
 * ManagedProcess}. It can be killed with SIGKILL, as {@code kill -9} would, and started again on
 * the same port.
 */
final class CapstanProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final TemporalServer temporal;
  private final Path folder;
  private final Path tmp;
  private final int apiPort = FreePorts.next();
  private final Api api = new Api("http://127.0.0.1:" + apiPort);
  private final List<ProcessHandle> orphans = new ArrayList<>();
  private ManagedProcess process;

  private CapstanProcess(TemporalServer temporal, Path folder, Path tmp) {
    this.temporal = temporal;
    this.folder = folder;
    this.tmp = tmp;
  }

  /**
   * Starts Capstan against {@code temporal} and waits until its API answers. Its log ({@code
   * capstan.log}) and pid file go to {@code folder}; its temporary files (the scratch folders of
   * shell tasks, which a killed worker leaves behind) to {@code tmp}.
   */
  static CapstanProcess start(TemporalServer temporal, Path folder, Path tmp) {
    CapstanProcess capstan = new CapstanProcess(temporal, folder, tmp);
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
   * SIGKILL: no shutdown hook runs, the worker reports nothing to Temporal. The shell tasks it
   * started live on, as they would after a real {@code kill -9}; they are remembered so that {@link
   * #close()} ends them.
   */
  void kill() {
    orphans.addAll(process.handle().descendants().toList());
    process.kill();
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
      process.close();
    }
    orphans.forEach(ProcessHandle::destroyForcibly);
  }

  private void launch() {
    process =
        ManagedProcess.builder("Capstan process", folder, "capstan")
            .port("api", apiPort)
            .command(ports -> command(ports.get("api")))
            .readiness(
                ports ->
                    () ->
                        api.healthy()
                            ? Optional.empty()
                            : Optional.of("its /healthz at " + api.base()))
            .startTimeout(READY_TIMEOUT)
            .stopGrace(STOP_GRACE)
            .start();
  }

  private List<String> command(int port) {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Two cores are shared by the Temporal server, Capstan and the tests: start
                // quickly and keep the collector out of the way.
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                "io.capstan.app.CapstanMain",
                "up",
                "--temporal",
                temporal.address()));
    if (temporal.uiUrl() != null) {
      command.addAll(List.of("--temporal-ui", temporal.uiUrl()));
    }
    command.addAll(List.of("--port", Integer.toString(port)));
    return command;
  }
}
