package io.capstan.api.runs;

import io.capstan.api.TemporalInfo;
import io.capstan.api.auth.Principal;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.rollout.RolloutStatus;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.failure.v1.Failure;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code GET /api/v1/runs/{id}}: Temporal's description of the run, the run's own {@code
 * status} query, and the retries Temporal is holding for its tasks. Only the description is
 * required; whatever else cannot be read leaves a {@code warning} instead of failing the request.
 */
public final class RunInspector {
  private static final Logger log = LoggerFactory.getLogger(RunInspector.class);

  private final TemporalRuns runs;
  private final TemporalInfo temporal;
  private final Segments segments;

  public RunInspector(TemporalRuns runs, TemporalInfo temporal, Segments segments) {
    this.runs = runs;
    this.temporal = temporal;
    this.segments = segments;
  }

  /**
   * The run as {@code principal} may see it.
   *
   * @throws RunNotFoundException for an unknown id, and for a run outside the principal's
   *     namespaces
   */
  public RunDetail get(String id, Principal principal) {
    return get(id, principal, 0, RunState.MAX_PAGE);
  }

  /**
   * The state of task {@code task}, paging through the run's tasks until it is found; empty when
   * the run has no such task. Also returns the names seen, for a message.
   */
  public Optional<TaskState> task(String id, Principal principal, String task, List<String> seen) {
    int offset = 0;
    while (true) {
      RunDetail page = get(id, principal, offset, RunState.MAX_PAGE);
      if (page.segments() != null && page.tasks() != null && !page.tasks().containsKey(task)) {
        // A large run: the stored plan says which segment holds the task, which answers for it.
        RunState run = runs.queryState(id);
        if (run.segments() != null) {
          Optional<Segments.Located> located = segments.locate(run, task);
          if (located.isEmpty()) {
            seen.addAll(segments.someNames(run, 50));
          }
          return located.map(Segments.Located::state);
        }
      }
      Map<String, TaskState> tasks = page.tasks();
      if (tasks != null && tasks.containsKey(task)) {
        return Optional.of(tasks.get(task));
      }
      if (tasks != null) {
        seen.addAll(tasks.keySet());
      }
      if (page.taskPage() == null || page.taskPage().nextOffset() == null) {
        return Optional.empty();
      }
      offset = page.taskPage().nextOffset();
    }
  }

  /**
   * The run as {@code principal} may see it, with at most {@code limit} of its tasks from {@code
   * offset} (in definition order); {@code taskPage} says where the page is when the run has more.
   *
   * @throws RunNotFoundException for an unknown id, and for a run outside the principal's
   *     namespaces
   */
  public RunDetail get(String id, Principal principal, int offset, int limit) {
    TemporalRuns.Visible run = runs.describeFor(id, principal);
    DescribeWorkflowExecutionResponse description = run.description();
    WorkflowExecutionInfo info = run.info();
    RunRef ref = run.ref();
    RunStatus status = RunStatus.of(info.getStatus());
    List<String> warnings = new ArrayList<>();

    Optional<HistoryEvent> close = Optional.empty();
    if (status.isClosed()) {
      close = read(() -> runs.closeEvent(info.getExecution()), warnings, "its close event");
    }
    Class<?> statusType = ref.kind().statusType();
    Object reported =
        close.flatMap(c -> quietly(() -> runs.completedStatus(c, statusType))).orElse(null);
    boolean paged = statusType == RunState.class;
    if (reported instanceof RunState result && result.segments() != null) {
      // A large run's result lists its segments; their workflows answer for the tasks.
      reported = result;
    } else if (reported instanceof RunState result
        && (result.tasks() == null || result.tasks().isEmpty())
        && result.progress() != null
        && result.progress().total() > 0) {
      // A result too large for Temporal carries the progress only; the query has every task.
      Object queried =
          paged ? queryPage(id, offset, limit, warnings) : queryStatus(id, statusType, warnings);
      reported = queried != null ? queried : reported;
    } else if (reported instanceof RunState result && paged) {
      reported = result.page(offset, limit);
    }
    if (reported == null) {
      reported =
          paged ? queryPage(id, offset, limit, warnings) : queryStatus(id, statusType, warnings);
    }
    if (reported instanceof RunState large && large.segments() != null) {
      reported = segments.page(large, offset, limit, warnings);
    }
    // Pipelines and jobs report tasks, shown as phase, progress and tasks; another kind's own
    // record is shown whole as the view.
    RunState state = reported instanceof RunState tasksReport ? tasksReport : null;
    ClusterStatus cluster = reported instanceof ClusterStatus clusterReport ? clusterReport : null;
    RolloutStatus rollout = reported instanceof RolloutStatus rolloutReport ? rolloutReport : null;
    Object view = state == null && cluster == null && rollout == null ? reported : null;

    Map<String, TaskState> tasks =
        state != null && state.tasks() != null ? state.tasks() : new LinkedHashMap<>();
    if (!status.isClosed() && description.getPendingActivitiesCount() > 0) {
      boolean stateKnown = state != null;
      Set<String> taskNames = Set.copyOf(tasks.keySet());
      List<PendingAttempt> pending =
          quietly(() -> Optional.of(pendingAttempts(description, taskNames, stateKnown)))
              .orElse(List.of());
      tasks = PendingAttempt.merge(tasks, pending, !stateKnown);
    }

    String error = close.flatMap(TemporalRuns::closeReason).orElse(null);
    TaskPage taskPage = null;
    if (state != null && state.progress() != null) {
      int total = state.progress().total();
      int shown = state.tasks() == null ? 0 : state.tasks().size();
      int from = Math.max(0, offset);
      if (from > 0 || from + shown < total) {
        taskPage =
            new TaskPage(
                from,
                Math.min(limit, RunState.MAX_PAGE),
                total,
                from + shown < total && shown > 0 ? from + shown : null);
      }
    }
    return new RunDetail(
        ref.id(),
        ref.kind().kindName(),
        ref.name(),
        ref.namespace(),
        status,
        state != null ? state.phase() : null,
        TemporalRuns.instant(info.getStartTime()),
        info.hasCloseTime() ? TemporalRuns.instant(info.getCloseTime()) : null,
        state != null ? state.progress() : null,
        tasks,
        error,
        warnings.isEmpty() ? null : String.join("; ", warnings),
        view,
        cluster,
        rollout,
        taskPage,
        state != null ? SegmentView.of(state.segments()) : null,
        RunLinks.forRun(ref.id(), temporal));
  }

  private Object queryPage(String id, int offset, int limit, List<String> warnings) {
    return askStatus(id, () -> runs.queryStatePage(id, offset, limit), warnings);
  }

  private Object queryStatus(String id, Class<?> type, List<String> warnings) {
    return askStatus(id, () -> runs.queryStatus(id, type), warnings);
  }

  /** The answer of a status query, or null with a warning saying why there is none. */
  private Object askStatus(String id, Supplier<Object> query, List<String> warnings) {
    try {
      return query.get();
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      warnings.add(
          code == Status.Code.DEADLINE_EXCEEDED
              ? "task states are unavailable: the run did not answer its status query within "
                  + TemporalRuns.QUERY_TIMEOUT.toSeconds()
                  + "s (is a worker running?)"
              : "task states are unavailable: " + describe(e));
    } catch (RuntimeException e) {
      log.debug("status query of {} failed", id, e);
      warnings.add("task states are unavailable: " + e.getMessage());
    }
    return null;
  }

  /**
   * What the running attempt of {@code task} heartbeated last, read as {@code type}; empty when the
   * task has no attempt with heartbeat details in the run's own workflow, or they are not a {@code
   * type} (a shell task heartbeats its elapsed time).
   */
  public <T> Optional<T> heartbeat(String id, Principal principal, String task, Class<T> type) {
    try {
      DescribeWorkflowExecutionResponse description = runs.describeFor(id, principal).description();
      Set<String> ids =
          description.getPendingActivitiesList().stream()
              .filter(PendingActivityInfo::hasHeartbeatDetails)
              .map(PendingActivityInfo::getActivityId)
              .collect(Collectors.toSet());
      if (ids.isEmpty()) {
        return Optional.empty();
      }
      Map<String, String> names =
          runs.taskNamesOf(description.getWorkflowExecutionInfo().getExecution(), ids);
      return description.getPendingActivitiesList().stream()
          .filter(PendingActivityInfo::hasHeartbeatDetails)
          .filter(activity -> task.equals(names.get(activity.getActivityId())))
          .findFirst()
          .map(
              activity ->
                  runs.client()
                      .getOptions()
                      .getDataConverter()
                      .fromPayloads(0, Optional.of(activity.getHeartbeatDetails()), type, type));
    } catch (RuntimeException e) {
      // Details of another shape, or Temporal unreachable: nothing to add.
      return Optional.empty();
    }
  }

  /**
   * The state of {@code task} in run {@code id} as {@code principal} may see it.
   *
   * @throws TaskNotFoundException naming some of the run's tasks when it has no such task
   */
  public TaskState requireTask(String id, Principal principal, String task) {
    List<String> seen = new ArrayList<>();
    return task(id, principal, task, seen)
        .orElseThrow(() -> new TaskNotFoundException(id, task, seen));
  }

  /**
   * The pending activities that tell more than the run's own state: retries, and any activity at
   * all when that state is unknown. Resolving activity ids to task names reads the history, so it
   * is done only for those.
   */
  private List<PendingAttempt> pendingAttempts(
      DescribeWorkflowExecutionResponse description, Set<String> taskNames, boolean stateKnown) {
    List<PendingActivityInfo> relevant =
        description.getPendingActivitiesList().stream()
            .filter(p -> !stateKnown || p.getAttempt() > 1)
            .toList();
    Set<String> unresolved =
        relevant.stream()
            .map(PendingActivityInfo::getActivityId)
            .filter(activityId -> !taskNames.contains(activityId))
            .collect(Collectors.toSet());
    Map<String, String> names =
        unresolved.isEmpty()
            ? Map.of()
            : runs.taskNamesOf(description.getWorkflowExecutionInfo().getExecution(), unresolved);
    List<PendingAttempt> attempts = new ArrayList<>();
    for (PendingActivityInfo activity : relevant) {
      String task =
          taskNames.contains(activity.getActivityId())
              ? activity.getActivityId()
              : names.get(activity.getActivityId());
      if (task == null) {
        continue;
      }
      boolean started = !waitingForRetry(activity) && isStarted(activity.getState());
      Failure lastFailure = activity.hasLastFailure() ? activity.getLastFailure() : null;
      // A started attempt runs on the worker that took it; a waiting one was last seen failing.
      String host =
          started || lastFailure == null
              ? TemporalRuns.hostOfIdentity(activity.getLastWorkerIdentity())
              : runs.failureHost(lastFailure)
                  .orElse(TemporalRuns.hostOfIdentity(activity.getLastWorkerIdentity()));
      attempts.add(
          new PendingAttempt(
              task,
              Math.max(1, activity.getAttempt()),
              started,
              lastFailure == null ? null : TemporalRuns.failureMessage(lastFailure),
              host,
              activity.hasLastStartedTime()
                  ? TemporalRuns.instant(activity.getLastStartedTime())
                  : null));
    }
    return attempts;
  }

  /**
   * Whether the activity is between attempts. Temporal reports SCHEDULED then; the Java test server
   * keeps reporting STARTED, but its last attempt completed after the last start.
   */
  static boolean waitingForRetry(PendingActivityInfo activity) {
    if (activity.getAttempt() <= 1) {
      return false;
    }
    if (activity.getState() == PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED) {
      return true;
    }
    if (!activity.hasLastAttemptCompleteTime()) {
      return false;
    }
    return !activity.hasLastStartedTime()
        || TemporalRuns.instant(activity.getLastStartedTime())
            .isBefore(TemporalRuns.instant(activity.getLastAttemptCompleteTime()));
  }

  private static boolean isStarted(PendingActivityState state) {
    return state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        || state == PendingActivityState.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED;
  }

  private static <T> Optional<T> read(
      Supplier<Optional<T>> read, List<String> warnings, String what) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      warnings.add("could not read " + what + ": " + describe(e));
      return Optional.empty();
    }
  }

  /** A read whose failure only means less detail, so it is logged and otherwise ignored. */
  private static <T> Optional<T> quietly(Supplier<Optional<T>> read) {
    try {
      return read.get();
    } catch (RuntimeException e) {
      log.debug("optional read failed", e);
      return Optional.empty();
    }
  }

  private static String describe(RuntimeException e) {
    if (e instanceof StatusRuntimeException status) {
      String description = status.getStatus().getDescription();
      return status.getStatus().getCode() + (description != null ? ": " + description : "");
    }
    return e.getMessage();
  }
}
