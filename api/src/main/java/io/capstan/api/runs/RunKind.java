package io.capstan.api.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.runs.cluster.ClusterRuns;
import io.capstan.api.runs.job.JobRuns;
import io.capstan.api.runs.pipeline.PipelineRuns;
import io.capstan.api.runs.rollout.RollingUpdateRuns;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Definition;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.outputs.OutputStore;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The kinds of definition that run as workflows: one constant per kind is the whole registration
 * (its {@link KindRuns} says how it runs). Everything else in the API that depends on the kind asks
 * the constant, never {@code instanceof}.
 */
public enum RunKind {
  PIPELINE(PipelineDefinition.KIND, new PipelineRuns()),
  JOB(JobDefinition.KIND, new JobRuns()),
  CLUSTER(ClusterDefinition.KIND, new ClusterRuns()),
  ROLLING_UPDATE(RollingUpdateDefinition.KIND, new RollingUpdateRuns());

  private final String kindName;
  private final KindRuns<?> runs;

  RunKind(String kindName, KindRuns<?> runs) {
    this.kindName = kindName;
    this.runs = runs;
  }

  /** The {@code kind} as written in definitions, e.g. {@code Pipeline}. */
  public String kindName() {
    return kindName;
  }

  public String workflowType() {
    return runs.workflowType();
  }

  public List<String> signals() {
    return runs.signals();
  }

  /** The record a run of this kind answers its {@code status} query with. */
  public Class<?> statusType() {
    return runs.statusType();
  }

  /** Whether a run of this kind takes the Temporal update {@code name}. */
  public boolean takesUpdate(String name) {
    return runs.updates().contains(name);
  }

  /** The updates a run of this kind takes, by name. */
  public List<String> updates() {
    return runs.updates();
  }

  /** The argument of update {@code name}, read from its JSON body (see {@link KindRuns}). */
  public Object updateArgument(String name, JsonNode body, Supplier<Object> status) {
    return runs.updateArgument(name, body, status);
  }

  public Class<?> updateResult(String name) {
    return runs.updateResult(name);
  }

  /** Whether a run of this kind is one per namespace and name (see {@link KindRuns#entity()}). */
  public boolean entity() {
    return runs.entity();
  }

  /** The first segment of this kind's run ids, e.g. {@code pipeline} or {@code rollingupdate}. */
  public String idPrefix() {
    return name().toLowerCase(Locale.ROOT).replace("_", "");
  }

  /** Every executor block of {@code definition}, which must be of this kind. */
  public List<KindRuns.ExecutorBlock> executors(Definition definition) {
    return apply(runs, definition, KindRuns::executors);
  }

  /** Whether {@code definition} is a schedule of runs rather than one run. */
  public boolean scheduled(Definition definition) {
    return apply(runs, definition, KindRuns::scheduled);
  }

  /** Starts {@code definition}'s workflow. */
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      Definition definition,
      Map<String, String> params,
      OutputStore store) {
    apply(
        runs,
        definition,
        (kind, typed) -> {
          kind.start(client, options, typed, params, store);
          return null;
        });
  }

  /** What of {@code definition} the run's input carries. */
  public Definition input(Definition definition) {
    return apply(runs, definition, KindRuns::input);
  }

  /** The shape after the name in a run's summary. */
  public String shape(Definition definition) {
    return apply(runs, definition, KindRuns::shape);
  }

  /** The markdown details of a run. */
  public String details(Definition definition) {
    return apply(runs, definition, KindRuns::details);
  }

  /** How {@code definition} will run. */
  public PlanView plan(Definition definition) {
    return apply(runs, definition, KindRuns::plan);
  }

  private static <D extends Definition, R> R apply(
      KindRuns<D> runs, Definition definition, BiFunction<KindRuns<D>, D, R> call) {
    return call.apply(runs, runs.type().cast(definition));
  }

  /** The kind of a parsed definition. */
  public static RunKind of(Definition definition) {
    return Arrays.stream(values())
        .filter(kind -> kind.runs.type().isInstance(definition))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "definitions of kind " + definition.kind() + " cannot run yet"));
  }

  /** The kind of a definition's {@code kind} field or a filter value, in any letter case. */
  public static Optional<RunKind> parse(String kind) {
    if (kind == null) {
      return Optional.empty();
    }
    return Arrays.stream(values())
        .filter(k -> k.kindName.equalsIgnoreCase(kind.trim()))
        .findFirst();
  }

  public static Optional<RunKind> ofWorkflowType(String type) {
    return Arrays.stream(values()).filter(k -> k.workflowType().equals(type)).findFirst();
  }

  /** Every kind name, for messages that list the valid ones. */
  public static List<String> kindNames() {
    return Arrays.stream(values()).map(RunKind::kindName).toList();
  }
}
