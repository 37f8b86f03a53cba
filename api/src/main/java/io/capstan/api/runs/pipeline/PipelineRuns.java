package io.capstan.api.runs.pipeline;

import io.capstan.api.runs.KindRuns;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.Plan;
import io.capstan.definitions.pipeline.Planner;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.outputs.OutputKeys;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.RetryTaskRequest;
import io.capstan.workflows.pipeline.SegmentPlanner;
import io.capstan.workflows.pipeline.SegmentedTasks;
import io.capstan.workflows.pipeline.StoredJson;
import io.capstan.workflows.run.RunState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
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

  /**
   * Starts the run. A pipeline of more tasks than one segment holds ({@link #segmentTasks()}) is
   * stored in {@code store} under {@code definitions/SHA256} and starts with its definition without
   * tasks and that reference: its workflow cuts the tasks into segments and runs each as a child
   * workflow, so no input grows with the number of tasks.
   */
  @Override
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      PipelineDefinition pipeline,
      Map<String, String> params,
      OutputStore store) {
    PipelineWorkflow stub = client.newWorkflowStub(PipelineWorkflow.class, options);
    PipelineInput whole = PipelineInput.of(pipeline, params);
    if (!segmented(pipeline)) {
      WorkflowClient.start(stub::run, whole);
      return;
    }
    byte[] json = StoredJson.write(pipeline);
    String sha256 = StoredJson.sha256(json);
    String key = OutputKeys.definition(sha256);
    try {
      store.put(key, json);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not store the pipeline's tasks in " + store.describe() + ": " + e.getMessage(), e);
    }
    SegmentedTasks tasks =
        new SegmentedTasks(key, sha256, pipeline.spec().tasks().size(), segmentTasks());
    WorkflowClient.start(
        stub::run, PipelineInput.segmented(input(pipeline), whole.params(), tasks));
  }

  /** The pipeline without its tasks when they are stored apart, else the pipeline. */
  @Override
  public PipelineDefinition input(PipelineDefinition pipeline) {
    if (!segmented(pipeline)) {
      return pipeline;
    }
    return pipeline.withTasks(List.of());
  }

  /** Whether {@code pipeline} runs in segments. */
  public static boolean segmented(PipelineDefinition pipeline) {
    return pipeline.spec().tasks().size() > segmentTasks();
  }

  /**
   * The most tasks one segment holds: {@link SegmentPlanner#SEGMENT_TASKS}, or the system property
   * {@value #SEGMENT_TASKS_PROPERTY} (tests cut small pipelines into segments with it).
   */
  public static int segmentTasks() {
    String value = System.getProperty(SEGMENT_TASKS_PROPERTY);
    if (value == null) {
      return SegmentPlanner.SEGMENT_TASKS;
    }
    return Math.max(2, Integer.parseInt(value.trim()));
  }

  /** The system property that overrides {@link SegmentPlanner#SEGMENT_TASKS}. */
  public static final String SEGMENT_TASKS_PROPERTY = "capstan.segmentTasks";

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
