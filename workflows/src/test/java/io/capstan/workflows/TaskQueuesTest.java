package io.capstan.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.definitions.executor.ExecutorKind;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Task queues per capability, and what a worker's identity advertises")
class TaskQueuesTest {
  @Test
  @DisplayName(
      "CPU executors go to the tasks queue, containers to infrastructure, GPU work to a host")
  void executorsMapToTheirCapabilitysQueue() {
    assertThat(TaskQueues.forExecutor(ExecutorKind.SIMULATE)).contains(TaskQueues.TASKS);
    assertThat(TaskQueues.forExecutor(ExecutorKind.SHELL)).contains(TaskQueues.TASKS);
    assertThat(TaskQueues.forExecutor(ExecutorKind.CONTAINER)).contains(TaskQueues.INFRASTRUCTURE);
    assertThat(TaskQueues.forExecutor(ExecutorKind.GPU)).isEmpty();
    assertThat(TaskQueues.gpu("gpu-node-7.example")).isEqualTo("capstan-gpu@gpu-node-7.example");
  }

  @Test
  @DisplayName("a GPU queue refuses a host name that is not one")
  void gpuQueueRefusesBadHosts() {
    assertThatThrownBy(() -> TaskQueues.gpu("two words"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'two words'");
    assertThatThrownBy(() -> TaskQueues.gpu(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("a worker identity names role, host and process, and its executors read back")
  void identityRoundTrips() {
    WorkerIdentity identity =
        new WorkerIdentity(
            "tasks", "box-1", 4242, EnumSet.of(ExecutorKind.SHELL, ExecutorKind.SIMULATE));

    assertThat(identity.toString()).isEqualTo("capstan-tasks@box-1:4242 executors=simulate,shell");
    assertThat(WorkerIdentity.executorsOf(identity.toString()))
        .containsExactlyInAnyOrder(ExecutorKind.SIMULATE, ExecutorKind.SHELL);
  }

  @Test
  @DisplayName("a worker that runs no executor, or is not Capstan's, advertises none")
  void otherIdentitiesAdvertiseNothing() {
    String controlPlane = new WorkerIdentity("control-plane", "box-1", 1, Set.of()).toString();

    assertThat(controlPlane).isEqualTo("capstan-control-plane@box-1:1 executors=");
    assertThat(WorkerIdentity.executorsOf(controlPlane)).isEmpty();
    assertThat(WorkerIdentity.executorsOf("12345@some-other-sdk-worker")).isEmpty();
    assertThat(WorkerIdentity.executorsOf(null)).isEmpty();
    assertThat(WorkerIdentity.executorsOf("x executors=shell,teleport"))
        .containsExactly(ExecutorKind.SHELL);
  }
}
