package io.capstan.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.tasks.TasksWorker;
import io.capstan.workflows.TaskQueues;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Worker roles: each registers on its own queue")
class WorkerRoleTest {
  @Test
  @DisplayName("roles parse by name in any case, and an unknown one names the valid ones")
  void rolesParse() {
    assertThat(WorkerRole.parse("tasks")).isEqualTo(WorkerRole.TASKS);
    assertThat(WorkerRole.parse(" Control-Plane ")).isEqualTo(WorkerRole.CONTROL_PLANE);
    assertThatThrownBy(() -> WorkerRole.parse("gpu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown worker role 'gpu': use one of control-plane, tasks");
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
  @DisplayName("a tasks worker runs shell only when shell is enabled")
  void executorsFollowTheShellFlag() {
    assertThat(TasksWorker.executors(WorkerSettings.defaults(true)))
        .containsExactlyInAnyOrder(ExecutorKind.SIMULATE, ExecutorKind.SHELL);
    assertThat(TasksWorker.executors(WorkerSettings.defaults(false)))
        .containsExactly(ExecutorKind.SIMULATE);
  }
}
