package io.capstan.api.runs;

import io.capstan.api.TemporalInfo;
import io.capstan.definitions.Definition;
import io.capstan.definitions.job.JobDefinition;
import io.capstan.definitions.pipeline.PipelineDefinition;
import io.capstan.workflows.ControlPlane;
import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts one workflow per validated definition on the control-plane queue. With an idempotency key
 * the run id is derived from it and a run id is never reused, so a resend finds the run the first
 * request started, even after that run has ended.
 */
public final class RunStarter {
  private final TemporalRuns runs;
  private final TemporalInfo temporal;
  private final LocalRunIndex index;

  public RunStarter(TemporalRuns runs, TemporalInfo temporal, LocalRunIndex index) {
    this.runs = runs;
    this.temporal = temporal;
    this.index = index;
  }

  /** A run a document led to, and whether this request created it. */
  public record Started(SubmittedRun run, boolean created) {}

  /**
   * Starts every definition, in order, with the same parameter overrides. Every document was
   * validated before the first start, so only Temporal itself can fail a later one; the runs
   * already started then stay, and a resend with an idempotency key finds them instead of
   * duplicating them.
   *
   * @param idempotencyKey null for a plain submit
   */
  public List<Started> start(
      List<Definition> definitions, Map<String, String> params, String idempotencyKey) {
    List<Started> started = new ArrayList<>();
    for (Definition definition : definitions) {
      started.add(start(definition, params, idempotencyKey));
    }
    return started;
  }

  private Started start(Definition definition, Map<String, String> params, String key) {
    RunKind kind =
        RunKind.parse(definition.kind())
            .orElseThrow(() -> new IllegalArgumentException("no run kind " + definition.kind()));
    String name = definition.metadata().name();
    String namespace = definition.metadata().namespace();
    String id =
        key == null
            ? RunIds.random(kind, namespace, name)
            : RunIds.forIdempotencyKey(kind, namespace, name, key);
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(ControlPlane.TASK_QUEUE)
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            .setMemo(
                Map.of(
                    RunRef.MEMO_KIND, kind.kindName(),
                    RunRef.MEMO_NAME, name,
                    RunRef.MEMO_NAMESPACE, namespace))
            .build();
    RunRef ref = new RunRef(id, kind, name, namespace);
    WorkflowClient client = runs.client();
    try {
      if (definition instanceof PipelineDefinition pipeline) {
        PipelineWorkflow stub = client.newWorkflowStub(PipelineWorkflow.class, options);
        WorkflowClient.start(stub::run, PipelineInput.of(pipeline, params));
      } else if (definition instanceof JobDefinition job) {
        JobWorkflow stub = client.newWorkflowStub(JobWorkflow.class, options);
        WorkflowClient.start(stub::run, JobInput.of(job, params));
      } else {
        throw new IllegalArgumentException(
            "definitions of kind " + definition.kind() + " cannot run yet");
      }
    } catch (WorkflowExecutionAlreadyStarted resend) {
      index.add(ref);
      RunStatus status = RunStatus.of(runs.describe(id).getWorkflowExecutionInfo().getStatus());
      return new Started(submitted(ref, status), false);
    }
    index.add(ref);
    return new Started(submitted(ref, RunStatus.RUNNING), true);
  }

  private SubmittedRun submitted(RunRef ref, RunStatus status) {
    return new SubmittedRun(
        ref.id(),
        ref.kind().kindName(),
        ref.name(),
        ref.namespace(),
        status,
        RunLinks.forRun(ref.id(), temporal));
  }
}
