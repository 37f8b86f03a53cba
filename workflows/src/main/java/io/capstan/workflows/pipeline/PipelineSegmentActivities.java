package io.capstan.workflows.pipeline;

import io.capstan.workflows.TaskQueues;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * What a large pipeline's workflows read from the output store, on {@link TaskQueues#TASKS} (the
 * role that has the store): the run's plan of segments, and each segment's tasks and inputs. Both
 * are idempotent: the plan is content-addressed, and a segment reads only segments that ended.
 */
@ActivityInterface
public interface PipelineSegmentActivities {
  /** Failure type of a stored definition that is missing or does not match its digest. */
  String DEFINITION_UNAVAILABLE = "DefinitionUnavailable";

  /** Failure type of a segment whose inputs exceed what Temporal can carry. */
  String INPUTS_TOO_LARGE = "SegmentInputsTooLarge";

  /**
   * Reads the run's tasks, cuts them into segments ({@link SegmentPlanner}), stores each segment's
   * {@link SegmentFile} and returns the plan.
   */
  @ActivityMethod(name = "PlanSegments")
  SegmentPlan plan(String runId, SegmentedTasks tasks);

  /**
   * Reads segment {@code segment}'s tasks and, from the segments it depends on (all ended), the
   * states its tasks need ({@link SegmentInputs}).
   */
  @ActivityMethod(name = "PrepareSegment")
  SegmentWork prepare(SegmentRef segment);

  /** How the workflows call these: retried with backoff, except a definition that is gone. */
  static ActivityOptions options() {
    return ActivityOptions.newBuilder()
        .setTaskQueue(TaskQueues.TASKS)
        .setStartToCloseTimeout(Duration.ofMinutes(5))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setMaximumInterval(Duration.ofMinutes(1))
                .setDoNotRetry(DEFINITION_UNAVAILABLE, INPUTS_TOO_LARGE)
                .build())
        .build();
  }
}
