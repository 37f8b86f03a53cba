package io.capstan.api.temporal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowServiceException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The gRPC status inside a Temporal failure")
class GrpcStatusTest {
  private static final StatusRuntimeException NOT_FOUND =
      Status.NOT_FOUND.withDescription("schedule not found").asRuntimeException();

  @Test
  @DisplayName("is found under the exceptions Temporal's client wraps it in")
  void foundUnderWrappers() {
    RuntimeException wrapped =
        new WorkflowServiceException(
            WorkflowExecution.newBuilder().setWorkflowId("job-x").build(),
            "JobWorkflow",
            new IllegalStateException("while describing", NOT_FOUND));

    assertThat(GrpcStatus.find(wrapped)).containsSame(NOT_FOUND);
    assertThat(GrpcStatus.code(wrapped)).contains(Status.Code.NOT_FOUND);
  }

  @Test
  @DisplayName("is the exception itself when Temporal's answer was not wrapped")
  void theExceptionItself() {
    assertThat(GrpcStatus.code(NOT_FOUND)).contains(Status.Code.NOT_FOUND);
  }

  @Test
  @DisplayName("is the outermost status when several are nested")
  void outermostFirst() {
    StatusRuntimeException outer = Status.UNAVAILABLE.withCause(NOT_FOUND).asRuntimeException();

    assertThat(GrpcStatus.code(new RuntimeException(outer))).contains(Status.Code.UNAVAILABLE);
  }

  @Test
  @DisplayName("is absent from a failure that never reached the server")
  void absent() {
    assertThat(GrpcStatus.find(new IllegalArgumentException("bad cron"))).isEmpty();
    assertThat(GrpcStatus.code(new RuntimeException(new IllegalStateException()))).isEmpty();
  }

  @Test
  @DisplayName("is looked for once around a cause chain that loops back on itself")
  void loopingChain() {
    RuntimeException first = new RuntimeException("first");
    RuntimeException second = new RuntimeException("second", first);
    first.initCause(second);

    assertThat(GrpcStatus.find(first)).isEmpty();
  }
}
