package io.capstan.api.runs.pipeline;

import io.capstan.api.runs.KindRuns;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.Plan;
import io.capstan.definitions.pipeline.Planner;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.RetryTaskRequest;
import io.capstan.workflows.run.RunState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Pipelines run as {@link PipelineWorkflow}: a DAG of tasks that can be paused and resumed. */
public final class PipelineRuns implements KindRuns<PipelineDefinition> {
  @Override
  public Class<PipelineDefinition> type() {
    return PipelineDefinition.class;
  }

  @Override
  public String workflowType() {
    return PipelineWorkflow.TYPE;
  }

  @Override
  public Class<RunState> statusType() {
    return RunState.class;
  }

  @Override
  public List<String> signals() {
    return List.of("pause", "resume", "abort");
  }

  /** A failed task runs again in place, with its skipped descendants, through this update. */
  @Override
  public List<String> updates() {
    return List.of(RetryTaskRequest.UPDATE);
  }

  @Override
  public List<ExecutorBlock> executors(PipelineDefinition pipeline) {
    List<TaskSpec> tasks = pipeline.spec().tasks();
    List<ExecutorBlock> blocks = new ArrayList<>(tasks.size());
    for (int t = 0; t < tasks.size(); t++) {
      blocks.add(new ExecutorBlock("spec.tasks[" + t + "]", "/spec/tasks/" + t, tasks.get(t)));
    }
    return blocks;
  }

  @Override
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      PipelineDefinition pipeline,
      Map<String, String> params) {
    PipelineWorkflow stub = client.newWorkflowStub(PipelineWorkflow.class, options);
    WorkflowClient.start(stub::run, PipelineInput.of(pipeline, params));
  }

  @Override
  public String shape(PipelineDefinition pipeline) {
    int tasks = pipeline.spec().tasks().size();
    return tasks
        + (tasks == 1 ? " task" : " tasks")
        + ", parallelism "
        + pipeline.spec().parallelism();
  }

  /** Each task with its executor and what it waits for, cut short past the details limit. */
  @Override
  public String details(PipelineDefinition pipeline) {
    StringBuilder text = new StringBuilder();
    List<TaskSpec> tasks = pipeline.spec().tasks();
    for (int i = 0; i < tasks.size(); i++) {
      TaskSpec task = tasks.get(i);
      StringBuilder line = new StringBuilder("- **").append(task.name()).append("**: ");
      line.append(RunMetadata.executor(task));
      if (!task.dependsOn().isEmpty()) {
        line.append(", after ").append(String.join(", ", task.dependsOn()));
      }
      line.append('\n');
      String more = "- … and " + (tasks.size() - i) + " more tasks\n";
      if (text.length() + line.length() + more.length() > RunMetadata.DETAILS_LIMIT) {
        text.append(more);
        break;
      }
      text.append(line);
    }
    return text.toString();
  }

  @Override
  public PlanView plan(PipelineDefinition pipeline) {
    Plan plan = Planner.plan(pipeline);
    return new PlanView(
        plan.levels(), new PlanView.CriticalPath(plan.criticalPath(), plan.estimatedDuration()));
  }
}
