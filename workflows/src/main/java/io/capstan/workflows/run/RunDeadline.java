package io.capstan.workflows.run;

import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * The moment a run must have ended by, watched by one durable timer. {@link #reached()} turns true
 * when the timer fires, so a workflow puts it in its {@code Workflow.await} condition and, once it
 * holds, cancels its work and fails in its own words. A server-side execution timeout would end the
 * run without canceling what runs.
 *
 * <p>Workflow code only: it calls {@link Workflow} APIs.
 */
public final class RunDeadline {
  private boolean reached;

  private RunDeadline() {}

  /** No deadline: never reached. */
  public static RunDeadline none() {
    return new RunDeadline();
  }

  /**
   * Arms a timer, named {@code summary} in the Web UI, for what is left until {@code at}; a moment
   * already past is reached at once, without a timer. A null {@code at} is {@link #none()}.
   */
  public static RunDeadline arm(Instant at, String summary) {
    RunDeadline deadline = new RunDeadline();
    if (at == null) {
      return deadline;
    }
    long left = at.toEpochMilli() - Workflow.currentTimeMillis();
    if (left <= 0) {
      deadline.reached = true;
      return deadline;
    }
    Workflow.newTimer(
            Duration.ofMillis(left), TimerOptions.newBuilder().setSummary(summary).build())
        .thenApply(
            fired -> {
              deadline.reached = true;
              return null;
            });
    return deadline;
  }

  public boolean reached() {
    return reached;
  }
}
