package io.capstan.api.runs.job;

import io.capstan.api.runs.KindRuns;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.capstan.workflows.run.RunState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Jobs run as {@link JobWorkflow}: one executor, run to a number of completions; a Job with a
 * {@code schedule} is a Temporal Schedule of such runs.
 */
public final class JobRuns implements KindRuns<JobDefinition> {
  @Override
  public Class<JobDefinition> type() {
    return JobDefinition.class;
  }

  @Override
  public String workflowType() {
    return JobWorkflow.TYPE;
  }

  @Override
  public Class<RunState> statusType() {
    return RunState.class;
  }

  @Override
  public List<String> signals() {
    return List.of();
  }

  @Override
  public List<ExecutorBlock> executors(JobDefinition job) {
    return List.of(new ExecutorBlock("spec", "/spec", job.spec()));
  }

  @Override
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      JobDefinition job,
      Map<String, String> params,
      OutputStore store) {
    JobWorkflow stub = client.newWorkflowStub(JobWorkflow.class, options);
    WorkflowClient.start(stub::run, JobInput.of(job, params));
  }

  @Override
  public boolean scheduled(JobDefinition job) {
    return job.spec().schedule() != null;
  }

  @Override
  public String shape(JobDefinition job) {
    StringBuilder shape = new StringBuilder(RunMetadata.executorKind(job.spec()));
    JobParallelism parallelism = job.spec().parallelism();
    if (parallelism.completions() > 1) {
      shape.append(", ").append(parallelism.completions()).append(" completions");
    }
    if (job.spec().schedule() != null) {
      shape.append(", schedule ").append(job.spec().schedule().cron());
    }
    return shape.toString();
  }

  @Override
  public String details(JobDefinition job) {
    StringBuilder text = new StringBuilder();
    JobParallelism parallelism = job.spec().parallelism();
    text.append("- **executor**: ").append(RunMetadata.executor(job.spec())).append('\n');
    text.append("- **completions**: ")
        .append(parallelism.completions())
        .append(", at most ")
        .append(parallelism.maxConcurrent())
        .append(" at once (")
        .append(parallelism.completionStrategy())
        .append(")\n");
    text.append("- **retries**: ").append(job.spec().restartPolicy().maxRetries()).append('\n');
    ScheduleSpec schedule = job.spec().schedule();
    if (schedule != null) {
      text.append("- **schedule**: `")
          .append(schedule.cron())
          .append("` (")
          .append(schedule.timezone())
          .append(")\n");
    }
    return text.toString();
  }

  /**
   * A job is one unit of work; with several completions it runs in waves of {@code maxConcurrent},
   * and one wave is enough when any success completes it.
   */
  @Override
  public PlanView plan(JobDefinition job) {
    String name = job.metadata().name();
    SimulateSpec simulate = job.spec().simulate();
    Duration attempt = simulate == null ? Duration.ZERO : simulate.duration();
    JobParallelism parallelism = job.spec().parallelism();
    int waves =
        parallelism.completionStrategy() == CompletionStrategy.AnySuccessful
            ? 1
            : (int)
                Math.ceil(
                    (double) Math.max(1, parallelism.completions())
                        / Math.max(1, parallelism.maxConcurrent()));
    return new PlanView(
        List.of(List.of(name)),
        new PlanView.CriticalPath(List.of(name), attempt.multipliedBy(waves)));
  }
}
