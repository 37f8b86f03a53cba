package io.capstan.api.schedules;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.TemporalInfo;
import io.capstan.api.auth.Principal;
import io.capstan.api.runs.RunKind;
import io.capstan.api.runs.RunLinks;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.runs.RunRef;
import io.capstan.definitions.Durations;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.job.JobDefinition;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecution;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleBackfill;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Jobs that run by themselves, as Temporal Schedules. Each schedule starts {@link JobWorkflow} on
 * the control-plane queue with the job's definition and params, its runs carrying the same search
 * attributes and memo as a submitted run. Only schedules Capstan created (their memo names a
 * Capstan kind) are listed or touched.
 */
public final class JobSchedules {
  /** Memo keys of a schedule, beside a run's identity keys. */
  static final String MEMO_SCHEDULE = "capstanSchedule";

  static final String MEMO_IDEMPOTENCY_KEY = "capstanIdempotencyKey";
  static final int LIST_LIMIT = 1000;
  static final String PAUSE_NOTE = "paused through the Capstan API";
  static final String UNPAUSE_NOTE = "unpaused through the Capstan API";
  static final String CREATED_PAUSED_NOTE = "created paused by its definition";

  /** How long a pause or unpause may take to show in the schedule's description. */
  private static final Duration SETTLE = Duration.ofSeconds(5);

  private static final Duration SETTLE_STEP = Duration.ofMillis(50);

  private static final int LIST_PAGE = 100;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ScheduleClient client;
  private final TemporalInfo temporal;

  public JobSchedules(WorkflowClient workflows, TemporalInfo temporal) {
    this.client =
        ScheduleClient.newInstance(
            workflows.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(workflows.getOptions().getNamespace())
                .setDataConverter(workflows.getOptions().getDataConverter())
                .setIdentity(workflows.getOptions().getIdentity())
                .build());
    this.temporal = temporal;
  }

  /** A schedule a submitted job led to, and whether this request created it. */
  public record Created(ScheduleView schedule, boolean created) {}

  /** Whether the server can have schedules at all: the Java test server cannot. */
  public boolean available() {
    return temporal == null || !TemporalInfo.TEST_SERVER.equals(temporal.mode());
  }

  /**
   * Creates the schedule of a job whose definition has {@code spec.schedule}.
   *
   * @param definitionYaml the submitted document, kept in the memo of each run
   * @param idempotencyKey null for a plain submit; a resend with the same key finds the schedule
   * @throws ScheduleExistsException when the job's schedule exists and was not created under this
   *     idempotency key
   * @throws SchedulesUnavailableException on a server without Schedules
   */
  public Created create(
      JobDefinition job, Map<String, String> params, String definitionYaml, String idempotencyKey) {
    if (!available()) {
      throw new SchedulesUnavailableException("spec.schedule");
    }
    ScheduleSpec spec = job.spec().schedule();
    Metadata metadata = job.metadata();
    String id = ScheduleIds.of(metadata.namespace(), metadata.name());
    WorkflowOptions action =
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(TaskQueues.CONTROL_PLANE)
            .setTypedSearchAttributes(RunMetadata.searchAttributes(RunKind.JOB, metadata))
            .setMemo(RunMetadata.memo(RunKind.JOB, metadata, definitionYaml))
            .setStaticSummary(RunMetadata.summary(job))
            .setStaticDetails(RunMetadata.details(job))
            .build();
    Schedule schedule =
        Schedule.newBuilder()
            .setAction(
                ScheduleActionStartWorkflow.newBuilder()
                    .setWorkflowType(JobWorkflow.class)
                    .setArguments(JobInput.of(job, params))
                    .setOptions(action)
                    .build())
            .setSpec(ScheduleTranslation.spec(spec))
            .setPolicy(
                SchedulePolicy.newBuilder()
                    .setOverlap(ScheduleTranslation.overlap(spec.overlap()))
                    .setCatchupWindow(spec.catchupWindow())
                    .build())
            .setState(
                ScheduleState.newBuilder()
                    .setPaused(spec.paused())
                    .setNote(spec.paused() ? CREATED_PAUSED_NOTE : "")
                    .build())
            .build();
    // The definition text rides in the action's memo, so each run shows it; the schedule keeps
    // only who it is and its terms, which keeps the request under Temporal's size limits.
    Map<String, Object> memo = RunMetadata.memo(RunKind.JOB, metadata, null);
    memo.put(MEMO_SCHEDULE, termsMemo(spec));
    if (idempotencyKey != null) {
      memo.put(MEMO_IDEMPOTENCY_KEY, idempotencyKey);
    }
    ScheduleOptions options =
        ScheduleOptions.newBuilder()
            .setMemo(memo)
            .setTypedSearchAttributes(RunMetadata.searchAttributes(RunKind.JOB, metadata))
            .build();
    try {
      call(id, () -> client.createSchedule(id, schedule, options));
    } catch (ScheduleAlreadyRunningException exists) {
      ScheduleDescription existing = describe(id);
      String key = memoString(existing::getMemo, MEMO_IDEMPOTENCY_KEY);
      if (idempotencyKey != null && idempotencyKey.equals(key)) {
        return new Created(view(existing), false);
      }
      String namespace = memoString(existing::getMemo, RunRef.MEMO_NAMESPACE);
      String name = memoString(existing::getMemo, RunRef.MEMO_NAME);
      throw new ScheduleExistsException(
          id, namespace == null || name == null ? null : "job " + namespace + "/" + name);
    }
    ScheduleView created;
    try {
      created = view(describe(id));
    } catch (RuntimeException notYetReadable) {
      // The schedule exists; only its next run times are unknown for the moment.
      created = view(id, metadata, spec, spec.paused(), null, List.of(), List.of());
    }
    return new Created(created, true);
  }

  /**
   * Every schedule Capstan created in the principal's namespaces, up to {@link #LIST_LIMIT},
   * ordered by id.
   */
  public List<ScheduleView> list(Principal principal) {
    if (!available()) {
      return List.of();
    }
    List<ScheduleView> views = new ArrayList<>();
    call(
        "",
        () -> {
          try (Stream<ScheduleListDescription> schedules = client.listSchedules(LIST_PAGE)) {
            schedules
                .filter(s -> memoString(s::getMemo, RunRef.MEMO_KIND) != null)
                .filter(s -> principal.mayUse(memoString(s::getMemo, RunRef.MEMO_NAMESPACE)))
                .limit(LIST_LIMIT)
                .map(this::view)
                .forEach(views::add);
          }
          return null;
        });
    views.sort((a, b) -> a.id().compareTo(b.id()));
    return views;
  }

  public ScheduleView get(String id, Principal principal) {
    return view(describeFor(id, principal));
  }

  public void delete(String id, Principal principal) {
    ScheduleHandle handle = handle(id, principal);
    call(id, () -> run(handle::delete));
  }

  /** Pauses the schedule; {@code note} (or a default) says why, in the Web UI too. */
  public ScheduleView pause(String id, String note, Principal principal) {
    ScheduleHandle handle = handle(id, principal);
    call(id, () -> run(() -> handle.pause(note == null || note.isBlank() ? PAUSE_NOTE : note)));
    return settled(id, principal, ScheduleView.PAUSED);
  }

  public ScheduleView unpause(String id, String note, Principal principal) {
    ScheduleHandle handle = handle(id, principal);
    call(id, () -> run(() -> handle.unpause(note == null || note.isBlank() ? UNPAUSE_NOTE : note)));
    return settled(id, principal, ScheduleView.ACTIVE);
  }

  /**
   * The schedule once it reports {@code status}, or as it is after {@link #SETTLE}. Temporal hands
   * a pause to the schedule's own state machine, which takes it between two of its steps; a
   * describe in that moment still shows the old state, and the answer to a pause must not.
   */
  private ScheduleView settled(String id, Principal principal, String status) {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    ScheduleView view = get(id, principal);
    while (!status.equals(view.status()) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(SETTLE_STEP.toMillis());
        view = get(id, principal);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // The change went through; a describe that fails now (a deletion beside it, a blip in
        // Temporal) must not turn its answer into an error. The last view is what is known.
        break;
      }
    }
    return view;
  }

  /** Starts a run now, under the schedule's overlap policy. */
  public void trigger(String id, Principal principal) {
    ScheduleHandle handle = handle(id, principal);
    call(id, () -> run(handle::trigger));
  }

  /**
   * Starts the runs that were due between {@code start} and {@code end}, as if the schedule had run
   * then.
   *
   * @param overlap how they overlap; by default {@code bufferAll}: every due run starts, one after
   *     another, whatever the schedule's own policy (under the default {@code skip} a backfill
   *     would start only its first run, since all of its runs are due at once)
   */
  public void backfill(
      String id,
      Instant start,
      Instant end,
      Optional<ScheduleOverlap> overlap,
      Principal principal) {
    ScheduleHandle handle = handle(id, principal);
    ScheduleBackfill backfill =
        new ScheduleBackfill(
            start, end, ScheduleTranslation.overlap(overlap.orElse(ScheduleOverlap.BUFFER_ALL)));
    call(id, () -> run(() -> handle.backfill(List.of(backfill))));
  }

  /** A handle on a schedule that exists, that Capstan created, and that the principal sees. */
  private ScheduleHandle handle(String id, Principal principal) {
    describeFor(id, principal);
    return client.getHandle(id);
  }

  /**
   * The schedule when the principal may see it; one in another namespace is not found, exactly like
   * an unknown id.
   */
  private ScheduleDescription describeFor(String id, Principal principal) {
    ScheduleDescription description = describe(id);
    if (!principal.mayUse(memoString(description::getMemo, RunRef.MEMO_NAMESPACE))) {
      throw new ScheduleNotFoundException(id);
    }
    return description;
  }

  private ScheduleDescription describe(String id) {
    if (!available()) {
      throw new SchedulesUnavailableException("id");
    }
    if (!ScheduleIds.isWellFormed(id)) {
      throw new ScheduleNotFoundException(id);
    }
    ScheduleDescription description = call(id, () -> client.getHandle(id).describe());
    if (memoString(description::getMemo, RunRef.MEMO_KIND) == null) {
      throw new ScheduleNotFoundException(id);
    }
    return description;
  }

  private ScheduleView view(ScheduleDescription description) {
    Schedule schedule = description.getSchedule();
    ScheduleSpec terms =
        terms(
            memoMap(description::getMemo),
            Optional.ofNullable(schedule.getPolicy()),
            schedule.getSpec() == null ? null : schedule.getSpec().getTimeZoneName());
    ScheduleState state = schedule.getState();
    boolean paused = state != null && state.isPaused();
    return view(
        description.getId(),
        metadata(description::getMemo),
        terms,
        paused,
        state == null ? null : state.getNote(),
        description.getInfo().getNextActionTimes(),
        description.getInfo().getRecentActions());
  }

  private ScheduleView view(ScheduleListDescription listed) {
    // A listing comes from the visibility store, where a fresh schedule may still lack parts.
    var schedule = listed.getSchedule();
    var spec = schedule == null ? null : schedule.getSpec();
    var state = schedule == null ? null : schedule.getState();
    var info = listed.getInfo();
    ScheduleSpec terms =
        terms(
            memoMap(listed::getMemo),
            Optional.empty(),
            spec == null ? null : spec.getTimeZoneName());
    return view(
        listed.getScheduleId(),
        metadata(listed::getMemo),
        terms,
        state != null && state.isPaused(),
        state == null ? null : state.getNote(),
        info == null ? List.of() : info.getNextActionTimes(),
        info == null ? List.of() : info.getRecentActions());
  }

  private ScheduleView view(
      String id,
      Metadata metadata,
      ScheduleSpec terms,
      boolean paused,
      String note,
      List<Instant> nextRuns,
      List<ScheduleActionResult> recent) {
    nextRuns = nextRuns == null ? List.of() : nextRuns;
    List<ScheduleView.ScheduledRun> runs = new ArrayList<>();
    for (ScheduleActionResult result : recent == null ? List.<ScheduleActionResult>of() : recent) {
      ScheduleActionExecution action = result.getAction();
      if (action instanceof ScheduleActionExecutionStartWorkflow started) {
        runs.add(
            new ScheduleView.ScheduledRun(
                started.getWorkflowId(), result.getScheduledAt(), result.getStartedAt()));
      }
    }
    Collections.reverse(runs);
    return new ScheduleView(
        id,
        ScheduleView.KIND,
        metadata.name(),
        metadata.namespace(),
        paused ? ScheduleView.PAUSED : ScheduleView.ACTIVE,
        new ScheduleView.Terms(
            terms.cron(),
            terms.overlap(),
            terms.catchupWindow(),
            paused,
            terms.timezone(),
            // A paused schedule computes due times it will not act on.
            paused ? List.of() : nextRuns),
        note,
        runs,
        new ScheduleView.Links(
            ScheduleView.SCHEDULES_PATH + id,
            RunLinks.RUNS_PATH.substring(0, RunLinks.RUNS_PATH.length() - 1) + "?schedule=" + id,
            RunLinks.uiPage(temporal, "schedules", id)));
  }

  /** The schedule's terms as a readable memo entry: Temporal gives a cron back only compiled. */
  private static Map<String, Object> termsMemo(ScheduleSpec spec) {
    Map<String, Object> terms = new LinkedHashMap<>();
    terms.put("cron", spec.cron());
    terms.put("overlap", JSON.convertValue(spec.overlap(), String.class));
    terms.put("catchupWindow", Durations.format(spec.catchupWindow()));
    terms.put("timezone", spec.timezone());
    return terms;
  }

  /**
   * The terms from the memo, with the live policy and time zone where Temporal reports them (the
   * stock CLI may have changed them since).
   */
  private static ScheduleSpec terms(
      Map<?, ?> memo, Optional<SchedulePolicy> policy, String timezone) {
    Object cron = memo.get("cron");
    ScheduleOverlap overlap =
        policy
            .flatMap(p -> ScheduleTranslation.overlap(p.getOverlap()))
            .orElseGet(() -> memoOverlap(memo.get("overlap")));
    Duration catchupWindow =
        policy
            .map(SchedulePolicy::getCatchupWindow)
            .filter(d -> !d.isZero())
            .orElseGet(() -> memoDuration(memo.get("catchupWindow")));
    String zone =
        timezone != null && !timezone.isBlank()
            ? timezone
            : memo.get("timezone") instanceof String z ? z : null;
    return new ScheduleSpec(
        cron instanceof String c ? c : null, overlap, catchupWindow, false, zone);
  }

  private static ScheduleOverlap memoOverlap(Object value) {
    try {
      return value == null ? null : JSON.convertValue(value, ScheduleOverlap.class);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  private static Duration memoDuration(Object value) {
    try {
      return value instanceof String text ? Durations.parse(text) : null;
    } catch (IllegalArgumentException unreadable) {
      return null;
    }
  }

  /** The memo accessor of either kind of description, as one function of the key. */
  private interface MemoReader {
    Object read(String key, Class<?> type);
  }

  private static String memoString(MemoReader memo, String key) {
    try {
      return memo.read(key, String.class) instanceof String value ? value : null;
    } catch (RuntimeException undecodable) {
      return null;
    }
  }

  private static Map<?, ?> memoMap(MemoReader memo) {
    try {
      return memo.read(MEMO_SCHEDULE, Map.class) instanceof Map<?, ?> map ? map : Map.of();
    } catch (RuntimeException undecodable) {
      return Map.of();
    }
  }

  private static Metadata metadata(MemoReader memo) {
    String name = memoString(memo, RunRef.MEMO_NAME);
    String namespace = memoString(memo, RunRef.MEMO_NAMESPACE);
    return new Metadata(name == null ? "" : name, namespace, Map.of());
  }

  private static Void run(Runnable action) {
    action.run();
    return null;
  }

  /**
   * Runs a call on the schedule {@code id}, turning Temporal's refusals into the API's: a schedule
   * that is not there, a server without Schedules. Anything else propagates to the error mappers.
   */
  private static <T> T call(String id, Supplier<T> action) {
    try {
      return action.get();
    } catch (ScheduleAlreadyRunningException exists) {
      throw exists;
    } catch (RuntimeException e) {
      StatusRuntimeException status = statusOf(e);
      if (status != null && status.getStatus().getCode() == Status.Code.NOT_FOUND) {
        throw new ScheduleNotFoundException(id);
      }
      if (status != null && status.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        throw new SchedulesUnavailableException(id.isEmpty() ? "schedules" : "id");
      }
      throw e;
    }
  }

  private static StatusRuntimeException statusOf(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof StatusRuntimeException status) {
        return status;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return null;
  }
}
