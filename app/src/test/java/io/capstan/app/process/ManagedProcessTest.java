package io.capstan.app.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Child processes started, watched and stopped by {@link ManagedProcess}, with real processes. */
class ManagedProcessTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @TempDir Path state;
  private final Deque<AutoCloseable> cleanup = new ArrayDeque<>();

  @AfterEach
  void stopEverything() throws Exception {
    while (!cleanup.isEmpty()) {
      cleanup.pop().close();
    }
  }

  @Test
  @DisplayName(
      "a server starts on a free loopback port, is ready once it answers, keeps its log and pid"
          + " file in the state folder, and close stops it and removes the pid file")
  void startsServesAndStops() throws Exception {
    ManagedProcess server =
        started(
            ManagedProcess.builder("test web server", state, "web")
                .port("http", 0)
                .command(
                    ports ->
                        List.of(
                            "python3",
                            "-m",
                            "http.server",
                            "--bind",
                            ports.host(),
                            Integer.toString(ports.get("http"))))
                .readiness(ports -> () -> answers("http://" + ports.address("http") + "/")));

    String url = "http://" + server.ports().address("http") + "/";
    assertThat(server.ports().host()).isEqualTo("127.0.0.1");
    assertThat(server.ports().get("http")).isPositive();
    assertThat(status(url)).isEqualTo(200);
    assertThat(server.logFile()).isEqualTo(state.resolve("web.log"));
    assertThat(server.logFile()).content().startsWith("capstan: ").contains("http.server");
    assertThat(server.pidFile())
        .isEqualTo(state.resolve("web.pid"))
        .content()
        .contains("server=" + server.pid())
        .contains("owner=" + ProcessHandle.current().pid());

    server.close();

    assertThat(server.isAlive()).isFalse();
    assertThat(ProcessHandle.of(server.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(server.pidFile()).doesNotExist();
  }

  @Test
  @DisplayName("start returns only once the readiness check passes")
  void startWaitsForReadiness() {
    Path ready = state.resolve("ready");

    ManagedProcess process =
        started(
            sh("slow", "sleep 0.5; touch ready; exec sleep 600")
                .readiness(ports -> () -> fileExists(ready)));

    assertThat(ready).exists();
    assertThat(process.isAlive()).isTrue();
  }

  @Test
  @DisplayName(
      "a process that exits during start fails it with its exit code, what it was awaited for and"
          + " the end of its log, and leaves no pid file")
  void deathDuringStartShowsTheLog() {
    ManagedProcess.Builder dying =
        sh("dying", "echo 'fake: cannot open the database' >&2; exit 3")
            .readiness(ports -> () -> Optional.of("its port"));

    assertThatThrownBy(dying::start)
        .isInstanceOf(ManagedProcess.StartException.class)
        .hasMessageContaining("the dying server exited with code 3 before it served its port")
        .hasMessageContaining("fake: cannot open the database");
    assertThat(state.resolve("dying.pid")).doesNotExist();
  }

  @Test
  @DisplayName("a process that is not ready in time is stopped, and the error says what it lacked")
  void notReadyInTimeIsStopped() throws Exception {
    ManagedProcess.Builder never =
        sh("never", "echo $$ > never.own-pid; exec sleep 600")
            .readiness(ports -> () -> Optional.of("the answer"))
            .startTimeout(Duration.ofSeconds(1));

    assertThatThrownBy(never::start)
        .isInstanceOf(ManagedProcess.StartException.class)
        .hasMessageContaining("the never server did not serve the answer within 1 s");
    long pid = Long.parseLong(Files.readString(state.resolve("never.own-pid")).trim());
    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(state.resolve("never.pid")).doesNotExist();
  }

  @Test
  @DisplayName("close sends SIGKILL to a process that ignores SIGTERM once the grace period passed")
  void stubbornProcessIsKilledAfterTheGrace() {
    Path trapped = state.resolve("trapped");
    ManagedProcess stubborn =
        started(
            sh("stubborn", "trap '' TERM; touch trapped; exec sleep 600")
                .readiness(ports -> () -> fileExists(trapped))
                .stopGrace(Duration.ofMillis(300)));

    long before = System.nanoTime();
    stubborn.close();

    assertThat(stubborn.isAlive()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - before))
        .as("SIGKILL came after the grace period")
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
  }

  @Test
  @DisplayName("close stops what the process started too; kill, as kill -9, leaves it running")
  void closeStopsDescendantsAndKillLeavesThem() throws Exception {
    ManagedProcess closed = started(parentOfASleep("closed"));
    ProcessHandle closedChild = child("closed");

    closed.close();

    assertThat(closedChild.onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();

    ManagedProcess killed = started(parentOfASleep("killed"));
    ProcessHandle orphan = child("killed");
    cleanup.push(() -> ManagedProcess.stop(orphan, Duration.ZERO));

    killed.kill();

    assertThat(killed.isAlive()).isFalse();
    assertThat(orphan.isAlive()).isTrue();
    assertThat(killed.pidFile()).doesNotExist();
  }

  @Test
  @DisplayName(
      "a process left by an owner that is gone is stopped by the next start on the same folder")
  void leftoverIsStopped() throws Exception {
    // What an owner killed with SIGKILL leaves behind: its process, and a pid file naming an
    // owner that no longer exists.
    ManagedProcess orphan = started(sh("orphan", "exec sleep 600"));
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    String pids = Files.readString(orphan.pidFile());
    Files.writeString(
        orphan.pidFile(),
        pids.replace("owner=" + ProcessHandle.current().pid(), "owner=" + gone.pid()));

    ManagedProcess next = started(sh("orphan", "exec sleep 600"));

    assertThat(ProcessHandle.of(orphan.pid()).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(next.isAlive()).isTrue();
    assertThat(next.pidFile()).content().contains("server=" + next.pid());
  }

  @Test
  @DisplayName("a pid file whose pid now belongs to some other process leaves that process alone")
  void reusedPidIsLeftAlone() throws Exception {
    Process stranger = new ProcessBuilder("sleep", "600").start();
    cleanup.push(stranger::destroyForcibly);
    Files.writeString(
        state.resolve("stale.pid"), "server=" + stranger.pid() + "\nstarted=12345\nowner=1\n");

    ManagedProcess next = started(sh("stale", "exec sleep 600"));

    assertThat(stranger.isAlive()).isTrue();
    assertThat(next.pidFile()).content().contains("server=" + next.pid());
  }

  @Test
  @DisplayName("a folder whose process and owner both still run is refused, not taken over")
  void folderInUseIsRefused() {
    ManagedProcess running = started(sh("busy", "exec sleep 600"));

    assertThatThrownBy(() -> started(sh("busy", "exec sleep 600")))
        .isInstanceOf(ManagedProcess.StartException.class)
        .hasMessageContaining("the state folder " + state + " is in use by the busy server")
        .hasMessageContaining("--state-dir");
    assertThat(running.isAlive()).isTrue();
  }

  @Test
  @DisplayName("a taken port is refused before anything starts, naming the port")
  void takenPortIsRefused() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();

      assertThatThrownBy(() -> sh("blocked", "exec sleep 600").port("api", port).start())
          .isInstanceOfSatisfying(
              ManagedProcess.PortInUseException.class,
              e -> assertThat(e.portName()).isEqualTo("api"))
          .hasMessage("port " + port + " on 127.0.0.1 is in use");
      assertThat(state.resolve("blocked.log")).doesNotExist();
    }
  }

  @Test
  @DisplayName("a process may listen on loopback only")
  void onlyLoopback() {
    assertThatThrownBy(() -> ManagedProcess.builder("exposed", state, "exposed").host("0.0.0.0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopback only");
  }

  private ManagedProcess.Builder sh(String name, String script) {
    return ManagedProcess.builder(name + " server", state, name)
        .command(List.of("sh", "-c", script));
  }

  /** A shell that starts a sleep, writes its pid to {@code NAME.child}, and waits for it. */
  private ManagedProcess.Builder parentOfASleep(String name) {
    Path child = state.resolve(name + ".child");
    return sh(
            name,
            "sleep 600 & echo $! > "
                + child.getFileName()
                + ".tmp; mv "
                + child.getFileName()
                + ".tmp "
                + child.getFileName()
                + "; wait")
        .readiness(ports -> () -> fileExists(child));
  }

  private ProcessHandle child(String name) throws IOException {
    long pid = Long.parseLong(Files.readString(state.resolve(name + ".child")).trim());
    return ProcessHandle.of(pid).orElseThrow();
  }

  private ManagedProcess started(ManagedProcess.Builder builder) {
    ManagedProcess process = builder.start();
    cleanup.push(process);
    return process;
  }

  private static Optional<String> fileExists(Path file) {
    return Files.exists(file) ? Optional.empty() : Optional.of(file.getFileName().toString());
  }

  private static Optional<String> answers(String url) throws InterruptedException {
    try {
      status(url);
      return Optional.empty();
    } catch (IOException notYet) {
      return Optional.of(url);
    }
  }

  private static int status(String url) throws IOException, InterruptedException {
    return HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
