package io.capstan.api.runs;

import io.capstan.definitions.Definition;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.Executor;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.job.JobDefinition;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.definitions.pipeline.PipelineDefinition;
import io.capstan.definitions.pipeline.TaskSpec;
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
  static final int DETAILS_LIMIT = 16_000;

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
    String shape = "";
    if (definition instanceof PipelineDefinition pipeline) {
      int tasks = pipeline.spec().tasks().size();
      shape =
          tasks
              + (tasks == 1 ? " task" : " tasks")
              + ", parallelism "
              + pipeline.spec().parallelism();
    } else if (definition instanceof JobDefinition job) {
      shape = jobShape(job);
    }
    return limit(shape.isEmpty() ? who : who + ": " + shape, SUMMARY_LIMIT);
  }

  /** A markdown list: each task with its executor and what it waits for, or the job's terms. */
  public static String details(Definition definition) {
    StringBuilder text = new StringBuilder();
    if (definition instanceof PipelineDefinition pipeline) {
      List<TaskSpec> tasks = pipeline.spec().tasks();
      for (int i = 0; i < tasks.size(); i++) {
        TaskSpec task = tasks.get(i);
        StringBuilder line = new StringBuilder("- **").append(task.name()).append("**: ");
        line.append(executor(task));
        if (!task.dependsOn().isEmpty()) {
          line.append(", after ").append(String.join(", ", task.dependsOn()));
        }
        line.append('\n');
        String more = "- … and " + (tasks.size() - i) + " more tasks\n";
        if (text.length() + line.length() + more.length() > DETAILS_LIMIT) {
          text.append(more);
          break;
        }
        text.append(line);
      }
    } else if (definition instanceof JobDefinition job) {
      JobParallelism parallelism = job.spec().parallelism();
      text.append("- **executor**: ").append(executor(job.spec())).append('\n');
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
    }
    return limit(text.toString(), DETAILS_LIMIT);
  }

  private static String jobShape(JobDefinition job) {
    StringBuilder shape = new StringBuilder(executorKind(job.spec()));
    JobParallelism parallelism = job.spec().parallelism();
    if (parallelism.completions() > 1) {
      shape.append(", ").append(parallelism.completions()).append(" completions");
    }
    if (job.spec().schedule() != null) {
      shape.append(", schedule ").append(job.spec().schedule().cron());
    }
    return shape.toString();
  }

  private static String executor(Executor executor) {
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

  private static String executorKind(Executor executor) {
    return executor.executorKind().name().toLowerCase(Locale.ROOT);
  }

  private static String limit(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}
