package io.capstan.api.temporal;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * The gRPC status Temporal answered with, found inside the exceptions its client wraps it in (a
 * {@code WorkflowServiceException}, a schedule client's own failures). What the server said decides
 * what the API answers, whichever client call it came through.
 */
public final class GrpcStatus {
  private GrpcStatus() {}

  /**
   * The first {@link StatusRuntimeException} in the cause chain of {@code failure}, itself first.
   */
  public static Optional<StatusRuntimeException> find(Throwable failure) {
    // A chain that loops back on itself ends the walk instead of spinning forever.
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable cause = failure; cause != null && seen.add(cause); cause = cause.getCause()) {
      if (cause instanceof StatusRuntimeException status) {
        return Optional.of(status);
      }
    }
    return Optional.empty();
  }

  /** The status code Temporal answered with, or empty when no gRPC status is in the chain. */
  public static Optional<Status.Code> code(Throwable failure) {
    return find(failure).map(status -> status.getStatus().getCode());
  }
}
