package io.capstan.api.runs;

import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** A run's status as the API reports it: Temporal's execution status under readable names. */
public enum RunStatus {
  RUNNING("Running"),
  COMPLETED("Completed"),
  FAILED("Failed"),
  CANCELED("Canceled"),
  TERMINATED("Terminated"),
  TIMED_OUT("TimedOut");

  private final String visibilityName;

  RunStatus(String visibilityName) {
    this.visibilityName = visibilityName;
  }

  /** The value of {@code ExecutionStatus} in a Temporal visibility query. */
  public String visibilityName() {
    return visibilityName;
  }

  public boolean isClosed() {
    return this != RUNNING;
  }

  /**
   * The status of a Temporal execution. A continued-as-new execution is reported as running,
   * because describing a run by id always finds its latest execution, which carries on the run.
   */
  public static RunStatus of(WorkflowExecutionStatus status) {
    return switch (status) {
      case WORKFLOW_EXECUTION_STATUS_COMPLETED -> COMPLETED;
      case WORKFLOW_EXECUTION_STATUS_FAILED -> FAILED;
      case WORKFLOW_EXECUTION_STATUS_CANCELED -> CANCELED;
      case WORKFLOW_EXECUTION_STATUS_TERMINATED -> TERMINATED;
      case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> TIMED_OUT;
      default -> RUNNING;
    };
  }

  /** A filter value such as {@code completed} or {@code TIMED_OUT}, in any letter case. */
  public static Optional<RunStatus> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    return Arrays.stream(values())
        .filter(s -> s.name().equals(normalized) || s.visibilityName.equalsIgnoreCase(value.trim()))
        .findFirst();
  }
}
