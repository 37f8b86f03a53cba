package io.capstan.api.runs;

import io.capstan.definitions.Definition;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.workflows.RunSearchAttributes;
import io.temporal.common.SearchAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every run (and every run a schedule starts) carries for Temporal's own tools: the typed
 * search attributes that {@code temporal workflow list --query} and the Web UI filter on, a memo
 * with the run's identity and the submitted definition, and the static summary and details the Web
 * UI shows at the top of a workflow.
 */
public final class RunMetadata {
  /** The memo key under which a run keeps its definition as YAML text. */
  public static final String MEMO_DEFINITION = "definition";

  /** Temporal refuses longer summaries; a one-line summary is far shorter anyway. */
  static final int SUMMARY_LIMIT = 400;

  /** Well under Temporal's limit on static details, which the Web UI renders as markdown. */
  public static final int DETAILS_LIMIT = 16_000;

  private RunMetadata() {}

  /** CapstanKind, CapstanName, CapstanNamespace and, when there are labels, CapstanLabels. */
  public static SearchAttributes searchAttributes(RunKind kind, Metadata metadata) {
    SearchAttributes.Builder attributes =
        SearchAttributes.newBuilder()
            .set(RunSearchAttributes.KIND, kind.kindName())
            .set(RunSearchAttributes.NAME, metadata.name())
            .set(RunSearchAttributes.NAMESPACE, metadata.namespace());
    List<String> labels = labels(metadata);
    if (!labels.isEmpty()) {
      attributes.set(RunSearchAttributes.LABELS, labels);
    }
    return attributes.build();
  }

  /** The labels as {@code key=value}, sorted so that equal label sets read the same. */
  static List<String> labels(Metadata metadata) {
    return metadata.labels().entrySet().stream()
        .map(label -> label.getKey() + "=" + label.getValue())
        .sorted()
        .toList();
  }

  /** The run's identity under {@link RunRef}'s keys, and its definition as YAML text. */
  public static Map<String, Object> memo(RunKind kind, Metadata metadata, String definitionYaml) {
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put(RunRef.MEMO_KIND, kind.kindName());
    memo.put(RunRef.MEMO_NAME, metadata.name());
    memo.put(RunRef.MEMO_NAMESPACE, metadata.namespace());
    if (definitionYaml != null) {
      memo.put(MEMO_DEFINITION, definitionYaml);
    }
    return memo;
  }

  /**
   * One line naming the run and its shape, e.g. {@code Pipeline team-a/nightly-etl: 4 tasks,
   * parallelism 4}.
   */
  public static String summary(Definition definition) {
    Metadata metadata = definition.metadata();
    String who = definition.kind() + " " + metadata.namespace() + "/" + metadata.name();
    String shape = RunKind.of(definition).shape(definition);
    return limit(shape.isEmpty() ? who : who + ": " + shape, SUMMARY_LIMIT);
  }

  /** A markdown list: each task with its executor and what it waits for, or the job's terms. */
  public static String details(Definition definition) {
    return limit(RunKind.of(definition).details(definition), DETAILS_LIMIT);
  }

  /** An executor as the details name it: its kind, and the image or GPU operation. */
  public static String executor(Executor executor) {
    String kind = executorKind(executor);
    ContainerSpec container = executor.container();
    GpuSpec gpu = executor.gpu();
    if (container != null && container.image() != null) {
      return kind + " `" + container.image().replace("`", "") + "`";
    }
    if (gpu != null && gpu.op() != null) {
      return kind + " " + gpu.op().name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
    return kind;
  }

  /** An executor's kind as definitions write it: {@code simulate}, {@code shell}, … */
  public static String executorKind(Executor executor) {
    return executor.executorKind().name().toLowerCase(Locale.ROOT);
  }

  private static String limit(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
