package io.capstan.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.infrastructure.InfrastructureWorker;
import io.capstan.workers.tasks.TasksWorker;
import io.capstan.workflows.TaskQueues;
import io.temporal.testing.TestWorkflowEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Worker roles: each registers on its own queue")
class WorkerRoleTest {
  @Test
  @DisplayName("roles parse by name in any case, and an unknown one names the valid ones")
  void rolesParse() {
    assertThat(WorkerRole.parse("tasks")).isEqualTo(WorkerRole.TASKS);
    assertThat(WorkerRole.parse(" Control-Plane ")).isEqualTo(WorkerRole.CONTROL_PLANE);
    assertThat(WorkerRole.parse("infrastructure")).isEqualTo(WorkerRole.INFRASTRUCTURE);
    assertThat(WorkerRole.parse("gpu")).isEqualTo(WorkerRole.GPU);
    assertThatThrownBy(() -> WorkerRole.parse("gpus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown worker role 'gpus': use one of control-plane, tasks, infrastructure, gpu");
  }

  @Test
  @DisplayName("the control plane polls its queue only; tasks poll theirs and the old shared one")
  void rolesRegisterOnTheirQueues() {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      WorkerSettings settings = WorkerSettings.defaults(true);

      WorkerRole.CONTROL_PLANE.register(env.getWorkerFactory(), settings);
      assertThat(env.getWorkerFactory().tryGetWorker(TaskQueues.CONTROL_PLANE)).isNotNull();
      assertThat(env.getWorkerFactory().tryGetWorker(TaskQueues.TASKS)).isNull();
    }
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      WorkerRole.TASKS.register(env.getWorkerFactory(), WorkerSettings.defaults(true));

      assertThat(env.getWorkerFactory().tryGetWorker(TaskQueues.TASKS)).isNotNull();
      assertThat(env.getWorkerFactory().tryGetWorker(TaskQueues.CONTROL_PLANE))
          .as("activities already scheduled there before the queues were split")
          .isNotNull();
    }
  }

  @Test
  @DisplayName(
      "the infrastructure role needs a cluster: without one it refuses to start, saying what to"
          + " pass; with one it polls its queue and runs container tasks")
  void infrastructureNeedsACluster(@TempDir Path dir) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      assertThatThrownBy(
              () ->
                  WorkerRole.INFRASTRUCTURE.register(
                      env.getWorkerFactory(), WorkerSettings.defaults(true)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("--kubeconfig PATH");
    }
    Path kubeconfig =
        Files.writeString(
            dir.resolve("config"),
            """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: u, user: {token: t}}]
            contexts: [{name: ctx, context: {cluster: c, user: u}}]
            current-context: ctx
            """);
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        KubeTarget cluster = new KubeTarget(kubeconfig, null, null)) {
      WorkerRole.INFRASTRUCTURE.register(
          env.getWorkerFactory(), WorkerSettings.defaults(true).withKubernetes(cluster));
      assertThat(env.getWorkerFactory().tryGetWorker(TaskQueues.INFRASTRUCTURE)).isNotNull();
      assertThat(InfrastructureWorker.executors()).containsExactly(ExecutorKind.CONTAINER);
    }
  }

  @Test
  @DisplayName("a tasks worker runs shell only when shell is enabled")
  void executorsFollowTheShellFlag() {
    assertThat(TasksWorker.executors(WorkerSettings.defaults(true)))
        .containsExactlyInAnyOrder(ExecutorKind.SIMULATE, ExecutorKind.SHELL);
    assertThat(TasksWorker.executors(WorkerSettings.defaults(false)))
        .containsExactly(ExecutorKind.SIMULATE);
  }
}
