package io.capstan.api.schedules;

import io.capstan.api.TemporalInfo;
import io.capstan.api.auth.Principal;
import io.capstan.api.runs.RunKind;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.temporal.GrpcStatus;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.workflows.job.JobWorkflow;
import io.grpc.Status;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleBackfill;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Jobs that run by themselves, as Temporal Schedules: creating, listing, describing and steering
 * them through Temporal's schedule client. Each schedule starts {@link JobWorkflow} as {@link
 * ScheduleTranslation} builds it; its memo ({@link ScheduleMemo}) says it is Capstan's, and only
 * such schedules are listed or touched.
 */
public final class JobSchedules {
  static final int LIST_LIMIT = 1000;
  static final String PAUSE_NOTE = "paused through the Capstan API";
  static final String UNPAUSE_NOTE = "unpaused through the Capstan API";

  /** How long a pause or unpause may take to show in the schedule's description. */
  private static final Duration SETTLE = Duration.ofSeconds(5);

  private static final Duration SETTLE_STEP = Duration.ofMillis(50);

  private static final int LIST_PAGE = 100;

  private final ScheduleClient client;
  private final TemporalInfo temporal;
  private final ScheduleViews views;

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
    this.views = new ScheduleViews(temporal);
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
    Schedule schedule = ScheduleTranslation.schedule(id, job, params, definitionYaml);
    ScheduleOptions options =
        ScheduleOptions.newBuilder()
            .setMemo(ScheduleMemo.write(metadata, spec, idempotencyKey))
            .setTypedSearchAttributes(RunMetadata.searchAttributes(RunKind.JOB, metadata))
            .build();
    try {
      call(id, () -> client.createSchedule(id, schedule, options));
    } catch (ScheduleAlreadyRunningException exists) {
      ScheduleDescription existing = describe(id);
      ScheduleMemo memo = ScheduleMemo.of(existing);
      if (idempotencyKey != null && idempotencyKey.equals(memo.idempotencyKey())) {
        return new Created(views.of(existing), false);
      }
      throw new ScheduleExistsException(id, memo.owner());
    }
    ScheduleView created;
    try {
      created = views.of(describe(id));
    } catch (RuntimeException notYetReadable) {
      // The schedule exists; only its next run times are unknown for the moment.
      created = views.created(id, metadata, spec);
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
    List<ScheduleView> listed = new ArrayList<>();
    call(
        "",
        () -> {
          try (Stream<ScheduleListDescription> schedules = client.listSchedules(LIST_PAGE)) {
            schedules
                .filter(s -> ScheduleMemo.of(s).isCapstan())
                .filter(s -> principal.mayUse(ScheduleMemo.of(s).namespace()))
                .limit(LIST_LIMIT)
                .map(views::of)
                .forEach(listed::add);
          }
          return null;
        });
    listed.sort((a, b) -> a.id().compareTo(b.id()));
    return listed;
  }

  public ScheduleView get(String id, Principal principal) {
    return views.of(describeFor(id, principal));
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
    if (!principal.mayUse(ScheduleMemo.of(description).namespace())) {
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
    if (!ScheduleMemo.of(description).isCapstan()) {
      throw new ScheduleNotFoundException(id);
    }
    return description;
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
      Status.Code code = GrpcStatus.code(e).orElse(null);
      if (code == Status.Code.NOT_FOUND) {
        throw new ScheduleNotFoundException(id);
      }
      if (code == Status.Code.UNIMPLEMENTED) {
        throw new SchedulesUnavailableException(id.isEmpty() ? "schedules" : "id");
      }
      throw e;
    }
  }
}
