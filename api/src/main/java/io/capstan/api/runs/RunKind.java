package io.capstan.api.runs;

import io.capstan.workflows.job.JobWorkflow;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of definition that run as workflows, with what the API needs of each: the workflow type
 * it runs as, the prefix of its run ids and the signals it accepts.
 */
public enum RunKind {
  PIPELINE("Pipeline", PipelineWorkflow.TYPE, List.of("pause", "resume", "abort")),
  JOB("Job", JobWorkflow.TYPE, List.of());

  private final String kindName;
  private final String workflowType;
  private final List<String> signals;

  RunKind(String kindName, String workflowType, List<String> signals) {
    this.kindName = kindName;
    this.workflowType = workflowType;
    this.signals = signals;
  }

  /** The {@code kind} as written in definitions, e.g. {@code Pipeline}. */
  public String kindName() {
    return kindName;
  }

  public String workflowType() {
    return workflowType;
  }

  public List<String> signals() {
    return signals;
  }

  /** The first segment of this kind's run ids, e.g. {@code pipeline}. */
  public String idPrefix() {
    return name().toLowerCase(Locale.ROOT);
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
    return Arrays.stream(values()).filter(k -> k.workflowType.equals(type)).findFirst();
  }

  /** Every kind name, for messages that list the valid ones. */
  public static List<String> kindNames() {
    return Arrays.stream(values()).map(RunKind::kindName).toList();
  }
}
