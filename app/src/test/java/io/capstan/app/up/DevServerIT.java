package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Temporal CLI's dev server as Capstan starts and stops it. */
class DevServerIT {
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
      "the dev server starts on free loopback ports with its SQLite file and log in the state"
          + " folder, and serves the default namespace and the Web UI")
  void startsAndServes() throws Exception {
    DevServer server = start(state);

    assertThat(server.address()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(server.command())
        .containsSequence("--ip", "127.0.0.1")
        .containsSequence("--db-filename", state.resolve("temporal.db").toString())
        .containsSequence("--log-level", "warn")
        .containsSequence("--search-attribute", "CapstanLabels=KeywordList");
    assertThat(server.dbFile()).exists();
    assertThat(server.logFile()).exists();
    assertThat(server.pidFile()).content().contains("server=" + server.pid());

    WorkflowServiceStubs stubs = stubs(server);
    assertThat(
            stubs
                .blockingStub()
                .describeNamespace(
                    DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                .getNamespaceInfo()
                .getName())
        .isEqualTo("default");
    assertThat(httpStatus(server.uiUrl())).isEqualTo(200);
  }

  @Test
  @DisplayName("Capstan's search attributes are registered with their types at start")
  void registersSearchAttributes() {
    DevServer server = start(state);

    Map<String, IndexedValueType> custom = listSearchAttributes(stubs(server));

    assertThat(custom)
        .containsEntry("CapstanKind", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
        .containsEntry("CapstanName", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
        .containsEntry("CapstanNamespace", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
        .containsEntry("CapstanLabels", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST);
  }

  @Test
  @DisplayName("closing stops the server process and removes its pid file")
  void closeLeavesNoProcess() {
    DevServer server = start(state);
    long pid = server.pid();
    assertThat(ProcessHandle.of(pid)).isPresent();

    server.close();

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(server.pidFile()).doesNotExist();
    assertThat(server.isAlive()).isFalse();
  }

  @Test
  @DisplayName("a workflow started before a restart on the same state folder is still there after")
  void stateSurvivesRestart() {
    DevServer first = start(state);
    WorkflowClient client = WorkflowClient.newInstance(stubs(first));
    WorkflowExecution started =
        client
            .newUntypedWorkflowStub(
                "NobodyRunsThis",
                WorkflowOptions.newBuilder()
                    .setTaskQueue("dev-server-test")
                    .setWorkflowId("survives-restart")
                    .build())
            .start();
    first.close();

    DevServer second = start(state);

    var described =
        stubs(second)
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace("default")
                    .setExecution(started)
                    .build());
    assertThat(described.getWorkflowExecutionInfo().getType().getName())
        .isEqualTo("NobodyRunsThis");
  }

  @Test
  @DisplayName(
      "a dev server left running by a Capstan that was killed is stopped by the next start on"
          + " the same folder")
  void leftoverServerIsStopped() throws Exception {
    // What a `capstan up` killed with SIGKILL leaves behind: its server, and a pid file naming an
    // owner that no longer exists.
    DevServer orphan = start(state);
    long orphanPid = orphan.pid();
    Path pidFile = orphan.pidFile();
    String pids = Files.readString(pidFile);
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Files.writeString(
        pidFile, pids.replace("owner=" + ProcessHandle.current().pid(), "owner=" + gone.pid()));

    DevServer next = start(state);

    assertThat(ProcessHandle.of(orphanPid).filter(ProcessHandle::isAlive)).isEmpty();
    assertThat(next.isAlive()).isTrue();
    assertThat(next.pidFile()).content().contains("server=" + next.pid());
  }

  @Test
  @DisplayName(
      "a state folder whose server belongs to a running Capstan is refused, not taken over")
  void folderInUseIsRefused() {
    DevServer running = start(state);

    assertThatThrownBy(() -> start(state))
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageContaining("the state folder " + state + " is in use")
        .hasMessageContaining("--state-dir");
    assertThat(running.isAlive()).isTrue();
  }

  @Test
  @DisplayName("a taken gRPC port is refused with a message naming the port and --temporal-port")
  void takenPortIsExplained() throws IOException {
    try (ServerSocket taken = new ServerSocket(0)) {
      int port = taken.getLocalPort();

      assertThatThrownBy(
              () -> DevServer.start(DevServer.Options.of(TemporalBinary.require(), port, 0, state)))
          .isInstanceOf(CapstanRuntime.StartupException.class)
          .hasMessageStartingWith("port " + port + " on 127.0.0.1 is in use")
          .hasMessageContaining("--temporal-port");
    }
  }

  @Test
  @DisplayName("a server that exits at start is reported with its exit code and the end of its log")
  void earlyExitShowsLogTail() throws IOException {
    Path fake = state.resolve("fake-temporal");
    Files.writeString(fake, "#!/bin/sh\necho 'fake: cannot open the database' >&2\nexit 3\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));

    assertThatThrownBy(
            () -> DevServer.start(DevServer.Options.of(fake, 0, 0, state.resolve("fake-state"))))
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageContaining("exited with code 3")
        .hasMessageContaining("fake: cannot open the database");
    assertThat(state.resolve("fake-state").resolve(DevServer.PID_FILE)).doesNotExist();
  }

  private DevServer start(Path stateDir) {
    DevServer server =
        DevServer.start(DevServer.Options.of(TemporalBinary.require(), 0, 0, stateDir));
    cleanup.push(server);
    return server;
  }

  private WorkflowServiceStubs stubs(DevServer server) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(server.address()).build(),
            Duration.ofSeconds(10));
    cleanup.push(
        () -> {
          stubs.shutdownNow();
          stubs.awaitTermination(5, TimeUnit.SECONDS);
        });
    return stubs;
  }

  static Map<String, IndexedValueType> listSearchAttributes(WorkflowServiceStubs stubs) {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      return operator
          .blockingStub()
          .listSearchAttributes(
              ListSearchAttributesRequest.newBuilder().setNamespace("default").build())
          .getCustomAttributesMap();
    } finally {
      operator.shutdown();
    }
  }

  static int httpStatus(String url) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
