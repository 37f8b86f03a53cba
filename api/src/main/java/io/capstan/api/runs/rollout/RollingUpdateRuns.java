package io.capstan.api.runs.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.api.runs.KindRuns;
import io.capstan.api.runs.RunIds;
import io.capstan.api.runs.RunKind;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.Durations;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RollingUpdateSpec;
import io.capstan.definitions.rollout.RolloutStrategy;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.rollout.RollingUpdateWorkflow;
import io.capstan.workflows.rollout.RolloutInput;
import io.capstan.workflows.rollout.RolloutStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Rolling updates run as {@link RollingUpdateWorkflow}: one run per rollout, which takes its pool
 * from the cluster's entity (whose id is derived from the cluster's namespace and name) for as long
 * as it rolls.
 */
public final class RollingUpdateRuns implements KindRuns<RollingUpdateDefinition> {
  @Override
  public Class<RollingUpdateDefinition> type() {
    return RollingUpdateDefinition.class;
  }

  @Override
  public String workflowType() {
    return RollingUpdateWorkflow.TYPE;
  }

  @Override
  public Class<RolloutStatus> statusType() {
    return RolloutStatus.class;
  }

  @Override
  public List<String> signals() {
    return RollingUpdateWorkflow.SIGNALS;
  }

  @Override
  public List<String> updates() {
    return List.of(RollingUpdateWorkflow.SET_STRATEGY);
  }

  /** {@code {maxSurge, maxUnavailable}}: counts or percentages; the workflow checks the values. */
  @Override
  public Object updateArgument(String update, JsonNode body, Supplier<Object> status) {
    List<ErrorDetail> problems = new ArrayList<>();
    String surge = countOrPercent(body, "maxSurge", problems);
    String unavailable = countOrPercent(body, "maxUnavailable", problems);
    if (problems.isEmpty() && surge == null && unavailable == null) {
      problems.add(
          ErrorDetail.at(
              "maxSurge",
              "setStrategy takes {maxSurge, maxUnavailable}: a count such as 2 or a percentage such"
                  + " as \"25%\", at least one of them"));
    }
    if (!problems.isEmpty()) {
      throw new UnprocessableException("invalid setStrategy body", problems);
    }
    return new RollingUpdateWorkflow.SetStrategy(surge, unavailable);
  }

  private static String countOrPercent(JsonNode body, String field, List<ErrorDetail> problems) {
    JsonNode value = body == null ? null : body.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isInt() || value.isTextual()) {
      return value.asText();
    }
    problems.add(
        ErrorDetail.at(
            field, field + " takes a count (2) or a percentage (\"25%\"), not " + value));
    return null;
  }

  @Override
  public Class<?> updateResult(String update) {
    return RolloutStatus.class;
  }

  @Override
  public List<ExecutorBlock> executors(RollingUpdateDefinition rollout) {
    return List.of();
  }

  @Override
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      RollingUpdateDefinition rollout,
      Map<String, String> params,
      OutputStore store) {
    String cluster = clusterRunId(rollout);
    if (!running(client, cluster)) {
      throw new UnprocessableException(
          "no such cluster",
          List.of(
              ErrorDetail.at(
                  "spec.cluster",
                  "no cluster '"
                      + rollout.spec().cluster()
                      + "' is running in namespace '"
                      + rollout.metadata().namespace()
                      + "': submit the Cluster first, or name one of `capstan list --kind"
                      + " Cluster`")));
    }
    RollingUpdateWorkflow stub = client.newWorkflowStub(RollingUpdateWorkflow.class, options);
    WorkflowClient.start(stub::run, RolloutInput.create(rollout, cluster));
  }

  /** Whether the cluster's entity runs: asked of Temporal, so no worker needs to answer. */
  private static boolean running(WorkflowClient client, String workflowId) {
    try {
      return client
              .getWorkflowServiceStubs()
              .blockingStub()
              .describeWorkflowExecution(
                  DescribeWorkflowExecutionRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                      .build())
              .getWorkflowExecutionInfo()
              .getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false;
      }
      throw e;
    }
  }

  /** The run id of the cluster a rollout rolls a pool of. */
  public static String clusterRunId(RollingUpdateDefinition rollout) {
    return RunIds.forEntity(
        RunKind.CLUSTER, rollout.metadata().namespace(), rollout.spec().cluster());
  }

  @Override
  public String shape(RollingUpdateDefinition rollout) {
    RollingUpdateSpec spec = rollout.spec();
    return "pool "
        + spec.cluster()
        + "/"
        + spec.nodePool()
        + " to version "
        + spec.launchTemplate().version()
        + ", maxSurge "
        + spec.strategy().maxSurge()
        + ", maxUnavailable "
        + spec.strategy().maxUnavailable();
  }

  @Override
  public String details(RollingUpdateDefinition rollout) {
    RollingUpdateSpec spec = rollout.spec();
    RolloutStrategy strategy = spec.strategy();
    StringBuilder text = new StringBuilder();
    text.append("- **pool**: ")
        .append(spec.nodePool())
        .append(" of cluster ")
        .append(spec.cluster())
        .append(", to launch template version ")
        .append(spec.launchTemplate().version())
        .append('\n');
    text.append("- **strategy**: maxSurge ")
        .append(strategy.maxSurge())
        .append(", maxUnavailable ")
        .append(strategy.maxUnavailable())
        .append(", drainTimeout ")
        .append(Durations.format(strategy.drainTimeout()))
        .append(", podEvictionTimeout ")
        .append(Durations.format(strategy.podEvictionTimeout()))
        .append(", nodeDrainGracePeriod ")
        .append(Durations.format(strategy.nodeDrainGracePeriod()))
        .append(strategy.forceAllowed() ? ", force allowed" : "")
        .append('\n');
    if (!spec.checkpoints().isEmpty()) {
      text.append("- **checkpoints**: ");
      List<String> points = new ArrayList<>();
      for (Checkpoint checkpoint : spec.checkpoints()) {
        points.add(
            checkpoint.percent()
                + "%"
                + (checkpoint.soak().isZero() ? "" : " soak " + Durations.format(checkpoint.soak()))
                + (checkpoint.pauses() ? " pause" : ""));
      }
      text.append(String.join(", ", points)).append('\n');
    }
    if (spec.window() != null) {
      text.append("- **window**: `")
          .append(spec.window().cron())
          .append("` for ")
          .append(Durations.format(spec.window().duration()))
          .append(", ")
          .append(spec.window().timeZone())
          .append('\n');
    }
    text.append("- **onFailure**: ").append(spec.onFailure().value()).append('\n');
    text.append(
        "\nSignals: pause, resume, abort, rollback; a blocked drain takes wait, skip or force"
            + " (`{\"node\": NAME}`). Update: setStrategy `{maxSurge, maxUnavailable}`.\n");
    return text.toString();
  }

  /** One step per checkpoint stretch; no duration can be known before the pool is seen. */
  @Override
  public PlanView plan(RollingUpdateDefinition rollout) {
    List<List<String>> levels = new ArrayList<>();
    for (Checkpoint checkpoint : rollout.spec().checkpoints()) {
      levels.add(List.of("to " + checkpoint.percent() + "%"));
    }
    if (levels.isEmpty() || !levels.get(levels.size() - 1).get(0).equals("to 100%")) {
      levels.add(List.of("to 100%"));
    }
    return new PlanView(
        levels,
        new PlanView.CriticalPath(
            levels.stream().map(level -> level.get(0)).toList(), Duration.ZERO));
  }
}
