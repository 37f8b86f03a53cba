package io.capstan.api.runs;

import io.capstan.api.TemporalInfo;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.api.intake.Submission;
import io.capstan.api.schedules.JobSchedules;
import io.capstan.api.schedules.SchedulesUnavailableException;
import io.capstan.definitions.Definition;
import io.capstan.definitions.JobDefinition;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.TaskQueues;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DataConverter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts one workflow per validated definition on the control-plane queue, carrying the search
 * attributes, memo, summary and details of {@link RunMetadata}; a job with a {@code schedule}
 * becomes a Temporal Schedule instead. With an idempotency key the run id is derived from it and a
 * run id is never reused, so a resend finds the run the first request started, even after that run
 * has ended.
 */
public final class RunStarter {
  /** Temporal's 2 MiB payload limit, less room for the rest of the start request. */
  static final long INPUT_LIMIT = 2L * 1024 * 1024 - 128 * 1024;

  /** A large pipeline's memo keeps its text only up to this many characters. */
  static final int MEMO_TEXT_LIMIT = 256 * 1024;

  /** How many starts of one multi-document submission go to Temporal at once. */
  static final int PARALLEL_STARTS = 8;

  private static final ExecutorService STARTERS =
      Executors.newFixedThreadPool(
          PARALLEL_STARTS,
          task -> {
            Thread thread = new Thread(task, "capstan-run-start");
            thread.setDaemon(true);
            return thread;
          });

  private final TemporalRuns runs;
  private final TemporalInfo temporal;
  private final LocalRunIndex index;
  private final JobSchedules schedules;
  private final OutputStore outputs;

  public RunStarter(
      TemporalRuns runs,
      TemporalInfo temporal,
      LocalRunIndex index,
      JobSchedules schedules,
      OutputStore outputs) {
    this.runs = runs;
    this.temporal = temporal;
    this.index = index;
    this.schedules = schedules;
    this.outputs = outputs;
  }

  /**
   * What a document led to: a {@link SubmittedRun} or, for a scheduled job, a schedule view.
   *
   * @param location the API path of that resource
   * @param created whether this request created it
   */
  public record Started(Object resource, String location, boolean created) {}

  /**
   * Starts every definition with the same parameter overrides, several at once, and answers them in
   * the order given. Every document was validated before the first start, so only Temporal itself
   * can fail one; the runs already started then stay, and a resend with an idempotency key finds
   * them instead of duplicating them.
   *
   * @param idempotencyKey null for a plain submit
   * @throws SchedulesUnavailableException before anything starts, when a document is a scheduled
   *     job and the server has no Schedules
   */
  public List<Started> start(Submission submission, String idempotencyKey) {
    List<Definition> definitions = submission.definitions();
    if (!schedules.available() && definitions.stream().anyMatch(RunStarter::isScheduled)) {
      throw new SchedulesUnavailableException("spec.schedule");
    }
    List<String> texts = submission.documentTexts();
    if (definitions.size() == 1) {
      return List.of(
          indexed(start(definitions.get(0), texts.get(0), submission.params(), idempotencyKey)));
    }
    // Each start is a round trip to Temporal; a stream of many documents starts them side by
    // side, and answers only once every start has succeeded or failed.
    List<Future<Outcome>> starts = new ArrayList<>();
    for (int i = 0; i < definitions.size(); i++) {
      Definition definition = definitions.get(i);
      String text = texts.get(i);
      starts.add(
          STARTERS.submit(() -> start(definition, text, submission.params(), idempotencyKey)));
    }
    List<Started> started = new ArrayList<>();
    RuntimeException failure = null;
    for (Future<Outcome> start : starts) {
      try {
        // The index learns the runs in the order given, however their starts interleaved.
        started.add(indexed(start.get()));
      } catch (ExecutionException e) {
        if (failure == null) {
          failure =
              e.getCause() instanceof RuntimeException runtime
                  ? runtime
                  : new IllegalStateException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting runs", e);
      }
    }
    if (failure != null) {
      throw failure;
    }
    return started;
  }

  private static boolean isScheduled(Definition definition) {
    return RunKind.of(definition).scheduled(definition);
  }

  /** What one start led to, and the run to index when it was a run. */
  private record Outcome(Started started, RunRef run) {}

  private Started indexed(Outcome outcome) {
    if (outcome.run() != null) {
      index.add(outcome.run());
    }
    return outcome.started();
  }

  private Outcome start(
      Definition definition, String text, Map<String, String> params, String key) {
    if (isScheduled(definition)) {
      // Only Jobs take a schedule; the schema refuses one anywhere else.
      JobSchedules.Created created =
          schedules.create((JobDefinition) definition, params, text, key);
      return new Outcome(
          new Started(created.schedule(), created.schedule().links().self(), created.created()),
          null);
    }
    RunKind kind = RunKind.of(definition);
    // A large pipeline's tasks go to the output store: its input is the rest of the definition,
    // and its memo keeps the text only when Temporal can take it.
    Definition input = kind.input(definition);
    String memoText =
        input == definition || text == null || text.length() <= MEMO_TEXT_LIMIT ? text : null;
    checkSize(runs.client().getOptions().getDataConverter(), input, params, memoText);
    String name = definition.metadata().name();
    String namespace = definition.metadata().namespace();
    // An entity (a cluster) has one run per namespace and name: submitting it again finds the
    // running one, and once it ended (deleted, failed) the same id starts afresh.
    String id =
        kind.entity()
            ? RunIds.forEntity(kind, namespace, name)
            : key == null
                ? RunIds.random(kind, namespace, name)
                : RunIds.forIdempotencyKey(kind, namespace, name, key);
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(TaskQueues.CONTROL_PLANE)
            .setWorkflowIdReusePolicy(
                kind.entity()
                    ? WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
                    : WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
            .setTypedSearchAttributes(RunMetadata.searchAttributes(kind, definition.metadata()))
            .setMemo(RunMetadata.memo(kind, definition.metadata(), memoText))
            .setStaticSummary(RunMetadata.summary(definition))
            .setStaticDetails(RunMetadata.details(definition))
            .build();
    RunRef ref = new RunRef(id, kind, name, namespace);
    WorkflowClient client = runs.client();
    try {
      kind.start(client, options, definition, params, outputs);
    } catch (WorkflowExecutionAlreadyStarted resend) {
      RunStatus status = RunStatus.of(runs.describe(id).getWorkflowExecutionInfo().getStatus());
      return new Outcome(started(ref, status, false), ref);
    }
    return new Outcome(started(ref, RunStatus.RUNNING, true), ref);
  }

  /**
   * Refuses a run whose input Temporal would refuse (its 2 MiB payload limit, measured as this
   * API's data converter writes it, compressed), with what to do, before anything starts.
   */
  static void checkSize(
      DataConverter converter, Definition definition, Map<String, String> params, String text) {
    long input = encodedSize(converter, definition) + encodedSize(converter, params);
    long memo = encodedSize(converter, text);
    if (input > INPUT_LIMIT || memo > INPUT_LIMIT) {
      long size = Math.max(input, memo);
      throw new UnprocessableException(
          "the definition of '"
              + definition.metadata().name()
              + "' is "
              + mib(size)
              + " as Temporal stores it, over the "
              + mib(INPUT_LIMIT)
              + " a run's input may take",
          List.of(
              ErrorDetail.at(
                  "spec",
                  "split it into smaller pipelines or jobs, or move large values (scripts,"
                      + " documents) into files the tasks read")));
    }
  }

  private static long encodedSize(DataConverter converter, Object value) {
    return converter.toPayloads(value).map(p -> (long) p.getSerializedSize()).orElse(0L);
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private Started started(RunRef ref, RunStatus status, boolean created) {
    SubmittedRun run =
        new SubmittedRun(
            ref.id(),
            ref.kind().kindName(),
            ref.name(),
            ref.namespace(),
            status,
            RunLinks.forRun(ref.id(), temporal));
    return new Started(run, run.links().self(), created);
  }
}
