package io.capstan.workflows.rollout;

import io.capstan.definitions.Durations;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.definitions.cluster.GpuValidation;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RolloutBudget;
import io.capstan.definitions.rollout.RolloutOnFailure;
import io.capstan.definitions.rollout.RolloutWindow;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.cluster.CloudActivities;
import io.capstan.workflows.cluster.CloudInstance;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.ClusterState;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.ClusterWorkflowImpl;
import io.capstan.workflows.cluster.GpuBurnIns;
import io.capstan.workflows.cluster.GroupState;
import io.capstan.workflows.cluster.NodeActivities;
import io.capstan.workflows.cluster.NodeView;
import io.capstan.workflows.cluster.RolloutRunActivities;
import io.capstan.workflows.gpu.GpuActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;

/**
 * {@link RollingUpdateWorkflow}: batches sized like a Deployment's rolling update, each one surge,
 * wait Ready (burn-in for GPU pools), cordon, drain by eviction, grace, terminate with capacity
 * decrement. A drain's deadline is a workflow timer counted from when the drain began (recorded in
 * the state), so a worker killed mid-drain resumes with the same deadline, and every step that
 * changes the pool is recorded once done, so none is done twice.
 */
public final class RollingUpdateWorkflowImpl implements RollingUpdateWorkflow {
  /** How long one drain pass retries refused evictions before the workflow looks again. */
  static final Duration DRAIN_PASS = Duration.ofSeconds(30);

  /** The history length past which a rollout continues as new at a batch's end. */
  static final int DEFAULT_HISTORY_LIMIT = 20_000;

  private static final Logger LOG = Workflow.getLogger(RollingUpdateWorkflowImpl.class);

  /** The cluster's calls; a refusal by the cluster's entity is not retried either. */
  private static final ActivityOptions CALLS =
      ActivityOptions.newBuilder(ClusterWorkflowImpl.CALLS)
          .setRetryOptions(
              RetryOptions.newBuilder(ClusterWorkflowImpl.CALL_RETRIES)
                  .setDoNotRetry(
                      CloudActivities.INVALID_REQUEST,
                      CloudActivities.GROUP_CONFLICT,
                      RolloutRunActivities.CLUSTER_NOT_FOUND,
                      RolloutRunActivities.ROLLOUT_REFUSED)
                  .build())
          .build();

  /** Putting things back never gives up: a pool must not be left cordoned or oversized. */
  private static final ActivityOptions CLEANUP =
      ActivityOptions.newBuilder(CALLS)
          .setRetryOptions(
              RetryOptions.newBuilder(ClusterWorkflowImpl.CLEANUP_RETRIES)
                  .setDoNotRetry(
                      CloudActivities.INVALID_REQUEST, RolloutRunActivities.CLUSTER_NOT_FOUND)
                  .build())
          .build();

  private final CloudActivities cloud = Workflow.newActivityStub(CloudActivities.class, CALLS);
  private final NodeActivities nodes = Workflow.newActivityStub(NodeActivities.class, CALLS);
  private final CloudActivities cloudCleanup =
      Workflow.newActivityStub(CloudActivities.class, CLEANUP);
  private final NodeActivities nodesCleanup =
      Workflow.newActivityStub(NodeActivities.class, CLEANUP);
  private final NodeActivities drainer =
      Workflow.newActivityStub(
          NodeActivities.class,
          ActivityOptions.newBuilder(CALLS)
              .setStartToCloseTimeout(DRAIN_PASS.plusMinutes(1))
              .setHeartbeatTimeout(Duration.ofSeconds(15))
              .build());
  private final RolloutRunActivities entity =
      Workflow.newActivityStub(
          RolloutRunActivities.class,
          ActivityOptions.newBuilder(CALLS).setTaskQueue(TaskQueues.ENTITY_CALLS).build());
  private final RolloutRunActivities entityCleanup =
      Workflow.newActivityStub(
          RolloutRunActivities.class,
          ActivityOptions.newBuilder(CLEANUP).setTaskQueue(TaskQueues.ENTITY_CALLS).build());

  private RolloutState state;
  private ClusterRef ref;
  private String clusterWorkflowId;

  // Operators' requests, taken at the next point where the rollout looks.
  private boolean paused;
  private String pauseReason;
  private String abortReason;
  private String rollbackReason;
  private final Map<String, Answer> answers = new LinkedHashMap<>();

  private enum Action {
    WAIT,
    SKIP,
    FORCE
  }

  private record Answer(Action action, Duration extra) {}

  /** Ends the rolling: an abort, or a turn to rolling back. */
  private static final class Stop extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final boolean rollback;

    Stop(boolean rollback, String reason) {
      super(reason, null, false, false);
      this.rollback = rollback;
    }
  }

  @Override
  public RolloutStatus run(RolloutInput input) {
    RollingUpdateDefinition definition = input.definition();
    clusterWorkflowId = input.clusterWorkflowId();
    int historyLimit = input.historyLimit() == null ? DEFAULT_HISTORY_LIMIT : input.historyLimit();
    if (input.carry() == null) {
      state = new RolloutState(definition, now());
    } else {
      state = RolloutState.restore(definition, input.carry());
      ref = state.lease.cluster();
    }
    try {
      if (input.carry() == null) {
        begin();
      }
      while (true) {
        try {
          roll(historyLimit, input);
          break;
        } catch (Stop stop) {
          if (stop.rollback && !state.rollingBack) {
            turnBack(stop.getMessage());
          } else {
            abortNow(stop.getMessage());
            throw ApplicationFailure.newNonRetryableFailure(state.outcome, "RolloutAborted");
          }
        }
      }
    } catch (CanceledFailure canceled) {
      Workflow.newDetachedCancellationScope(() -> abortNow("the run was canceled")).run();
      throw canceled;
    }
    if (state.rollingBack) {
      finish(
          RolloutPhase.RolledBack,
          state.fromVersion,
          "rolled back to version " + state.fromVersion + " after: " + state.rollbackCause);
      throw ApplicationFailure.newNonRetryableFailure(state.outcome, "RolloutRolledBack");
    }
    finish(
        RolloutPhase.Completed,
        state.toVersion(),
        "rolled "
            + rolledCount()
            + " nodes of pool "
            + definition.spec().nodePool()
            + " onto launch template version "
            + state.toVersion()
            + " in "
            + state.batch
            + " batches"
            + skippedNote());
    return status();
  }

  // ---------------------------------------------------------------------------------------------
  // Start and end

  private void begin() {
    var spec = state.definition.spec();
    ClusterUpdates.RolloutLease lease;
    try {
      lease =
          entity.begin(
              clusterWorkflowId,
              new ClusterUpdates.BeginRollout(
                  Workflow.getInfo().getWorkflowId(),
                  spec.nodePool(),
                  spec.launchTemplate().version()));
    } catch (ActivityFailure refused) {
      state.phase = RolloutPhase.Failed;
      state.outcome = ClusterWorkflowImpl.reason(refused);
      throw ApplicationFailure.newNonRetryableFailure(state.outcome, "RolloutRefused");
    }
    state.lease = lease;
    ref = lease.cluster();
    state.fromVersion = fromVersion(lease);
    String template = templateOf(lease.pool());
    String asked = spec.launchTemplate().name();
    try {
      if (asked != null && template != null && !asked.equals(template)) {
        throw ApplicationFailure.newNonRetryableFailure(
            "launchTemplate.name "
                + asked
                + " is not pool "
                + spec.nodePool()
                + "'s template "
                + template
                + ": a rollout changes the version, not the template (leave name out)",
            "RolloutRefused");
      }
      for (ClusterState.Instance instance : lease.instances()) {
        String version = instance.version() == null ? state.fromVersion : instance.version();
        NodeRoll node =
            NodeRoll.of(instance.instanceId(), instance.node(), version, instance.ready(), now());
        state.put(version.equals(state.toVersion()) ? node.in(NodePhase.Ready, now()) : node);
      }
      record(
          "Started",
          null,
          "rolling pool "
              + spec.nodePool()
              + " of cluster "
              + ref.key()
              + " ("
              + lease.desired()
              + " nodes) from version "
              + state.fromVersion
              + " to "
              + state.toVersion()
              + ", "
              + budgetText());
      cloud.setLaunchTemplate(
          new CloudActivities.SetLaunchTemplateRequest(
              ref, lease.pool(), lease.groupName(), state.toVersion()));
    } catch (ActivityFailure | ApplicationFailure failure) {
      String why =
          failure instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : ClusterWorkflowImpl.reason(failure);
      Workflow.newDetachedCancellationScope(
              () -> finish(RolloutPhase.Failed, null, "the rollout could not start: " + why))
          .run();
      throw ApplicationFailure.newNonRetryableFailure(state.outcome, "RolloutFailed");
    }
    state.phase = RolloutPhase.Rolling;
  }

  /**
   * The version the pool ran: the one its instances report when they agree (a pool that names
   * {@code $Default} runs a number), else what its group was set to.
   */
  private static String fromVersion(ClusterUpdates.RolloutLease lease) {
    Set<String> reported =
        lease.instances().stream()
            .map(ClusterState.Instance::version)
            .filter(v -> v != null)
            .collect(Collectors.toSet());
    if (reported.size() == 1 && lease.version().startsWith("$")) {
      return reported.iterator().next();
    }
    return lease.version();
  }

  private static String templateOf(NodePoolSpec pool) {
    return pool.launchTemplate() == null ? null : pool.launchTemplate().name();
  }

  /** Gives the pool back with its bounds as they were, and ends in {@code phase}. */
  private void finish(RolloutPhase phase, String version, String outcome) {
    state.outcome = outcome;
    if (state.lease != null) {
      ClusterUpdates.RolloutLease lease = state.lease;
      int count = (int) state.nodes.values().stream().filter(NodeRoll::inPool).count();
      try {
        cloudCleanup.resize(
            new CloudActivities.ResizeRequest(
                ref,
                lease.groupName(),
                Math.min(lease.min(), count),
                count,
                Math.max(lease.max(), count)));
      } catch (ActivityFailure failure) {
        record(
            "ResizeFailed",
            null,
            "could not put the group's bounds back: " + ClusterWorkflowImpl.reason(failure));
      }
      try {
        entityCleanup.end(
            clusterWorkflowId,
            new ClusterUpdates.EndRollout(
                Workflow.getInfo().getWorkflowId(),
                state.definition.spec().nodePool(),
                version,
                outcome));
      } catch (ActivityFailure failure) {
        record(
            "ReleaseFailed",
            null,
            "could not give the pool back to its cluster: " + ClusterWorkflowImpl.reason(failure));
      }
    }
    state.phase = phase;
    state.reason = null;
    record(phase.name(), null, outcome);
  }

  // ---------------------------------------------------------------------------------------------
  // The batches

  private void roll(int historyLimit, RolloutInput input) {
    while (true) {
      if (Workflow.getInfo().getHistoryLength() > historyLimit
          && !paused
          && abortReason == null
          && rollbackReason == null
          && answers.isEmpty()) {
        Workflow.await(Workflow::isEveryHandlerFinished);
        Workflow.continueAsNew(
            new RolloutInput(
                state.definition, clusterWorkflowId, state.snapshot(), input.historyLimit()));
      }
      // Done when nothing is left to roll and the pool is whole again: a last batch that drained
      // more than it surged (maxUnavailable) is followed by one that only surges.
      int whole = state.fresh().size() + kept().size();
      if (state.old().isEmpty() && whole >= state.desired()) {
        trim(whole - state.desired());
        if (!state.rollingBack) {
          checkpoints();
        }
        return;
      }
      gate();
      batch();
    }
  }

  /** Waits while paused or outside the window; acts on abort and rollback. */
  private void gate() {
    while (true) {
      stopIfAsked();
      if (paused) {
        state.phase = RolloutPhase.Paused;
        state.reason = pauseReason;
        Workflow.await(() -> !paused || abortReason != null || rollbackReason != null);
        continue;
      }
      RolloutWindow window = state.definition.spec().window();
      if (window != null && !state.rollingBack) {
        Instant at = Instant.ofEpochMilli(now());
        if (!window.isOpen(at)) {
          Instant opens = window.nextOpen(at);
          state.phase = RolloutPhase.WaitingForWindow;
          state.reason =
              "outside its window ("
                  + window.cron()
                  + " for "
                  + Durations.format(window.duration())
                  + ", "
                  + window.timeZone()
                  + "): the next opens at "
                  + opens.atZone(ZoneId.of(window.timeZone())).toOffsetDateTime()
                  + " ("
                  + opens
                  + ")";
          record("WaitingForWindow", null, state.reason);
          Workflow.await(
              Duration.between(at, opens),
              () -> paused || abortReason != null || rollbackReason != null);
          continue;
        }
      }
      state.phase = state.rollingBack ? RolloutPhase.RollingBack : RolloutPhase.Rolling;
      state.reason = state.rollingBack ? state.reason : null;
      return;
    }
  }

  private void stopIfAsked() {
    if (abortReason != null) {
      throw new Stop(false, "aborted: " + abortReason);
    }
    if (rollbackReason != null && !state.rollingBack) {
      String why = rollbackReason;
      rollbackReason = null;
      throw new Stop(true, "rollback asked: " + why);
    }
  }

  private void batch() {
    state.batch++;
    RolloutBudget budget = state.budget();
    int desired = state.desired();
    List<NodeRoll> kept = kept();
    int room = desired - kept.size();
    Checkpoint next = state.rollingBack ? null : nextCheckpoint(room);
    int cap = next == null ? room : RolloutPlan.share(room, next.percent());
    int fresh = state.fresh().size();
    int create =
        RolloutPlan.surge(
            desired, budget.surge(), fresh, state.old().size() + kept.size(), Math.min(cap, room));
    if (create > 0 && !surge(create)) {
      return;
    }
    List<NodeRoll> old = state.old();
    int readyFresh = (int) state.fresh().stream().filter(this::available).count();
    int readyKept = (int) kept.stream().filter(this::available).count();
    List<NodeRoll> readyOld = old.stream().filter(this::available).toList();
    List<NodeRoll> chosen = new ArrayList<>(old.stream().filter(n -> !available(n)).toList());
    boolean reachesCheckpoint = next != null && state.fresh().size() >= cap;
    int floor = reachesCheckpoint && budget.surge() > 0 ? desired : desired - budget.unavailable();
    int k = RolloutPlan.drain(readyFresh + readyKept, readyOld.size(), floor);
    chosen.addAll(readyOld.subList(0, k));
    if (chosen.isEmpty()) {
      if (create == 0) {
        failed(
            "batch "
                + state.batch
                + ": nothing can move: "
                + (readyFresh + readyKept + readyOld.size())
                + " Ready nodes, and "
                + floor
                + " must stay Ready ("
                + budgetText()
                + ")");
      }
      return;
    }
    record(
        "Batch",
        null,
        "batch "
            + state.batch
            + ": "
            + (create > 0 ? "surged " + create + ", " : "")
            + "replacing "
            + chosen.stream().map(NodeRoll::key).collect(Collectors.joining(", ")));
    Map<String, Promise<Void>> runs = new LinkedHashMap<>();
    for (NodeRoll node : chosen) {
      runs.put(
          node.instanceId(),
          Async.procedure(() -> replace(state.nodes.get(node.instanceId()).inBatch(state.batch))));
    }
    Stop stop = null;
    for (Promise<Void> run : runs.values()) {
      try {
        run.get();
      } catch (Stop stopped) {
        stop = stop == null ? stopped : stop;
      }
    }
    if (stop != null) {
      throw stop;
    }
    if (!state.rollingBack) {
      checkpoints();
      Duration soak = state.definition.spec().soak();
      if (!soak.isZero() && !state.old().isEmpty()) {
        soak(soak, "after batch " + state.batch);
      }
    }
  }

  /**
   * Removes {@code surplus} new nodes, the last surged first: a node an operator skipped after its
   * replacement was surged leaves the pool one node over its size.
   */
  private void trim(int surplus) {
    if (surplus <= 0) {
      return;
    }
    List<NodeRoll> fresh = new ArrayList<>(state.fresh());
    java.util.Collections.reverse(fresh);
    record(
        "Trimmed",
        null,
        "the pool is "
            + surplus
            + " over its "
            + state.desired()
            + " nodes (a skipped node stayed): removing the newest");
    for (NodeRoll node : fresh.subList(0, Math.min(surplus, fresh.size()))) {
      replace(node);
    }
  }

  private boolean available(NodeRoll node) {
    return node.ready() && !node.cordoned() && node.node() != null;
  }

  /** Nodes an operator left out: they stay in the pool on their version. */
  private List<NodeRoll> kept() {
    return state.nodes.values().stream().filter(n -> n.phase() == NodePhase.Skipped).toList();
  }

  private Checkpoint nextCheckpoint(int room) {
    List<Checkpoint> checkpoints = state.definition.spec().checkpoints();
    int fresh = state.fresh().size();
    for (int i = state.checkpoint; i < checkpoints.size(); i++) {
      if (RolloutPlan.share(room, checkpoints.get(i).percent()) > fresh) {
        return checkpoints.get(i);
      }
    }
    return null;
  }

  /** Waits at every checkpoint the fresh nodes have reached. */
  private void checkpoints() {
    List<Checkpoint> checkpoints = state.definition.spec().checkpoints();
    int room = state.desired() - kept().size();
    while (state.checkpoint < checkpoints.size()
        && state.fresh().size()
            >= RolloutPlan.share(room, checkpoints.get(state.checkpoint).percent())) {
      Checkpoint checkpoint = checkpoints.get(state.checkpoint);
      state.checkpoint++;
      String name = "checkpoint " + checkpoint.percent() + "%";
      record(
          "Checkpoint",
          null,
          name + " reached: " + state.fresh().size() + " of " + room + " nodes rolled");
      if (!checkpoint.soak().isZero()) {
        soak(checkpoint.soak(), "at " + name);
      }
      if (checkpoint.pauses()) {
        paused = true;
        pauseReason = "at " + name + ": waiting for `resume`";
        state.phase = RolloutPhase.AtCheckpoint;
        state.reason = pauseReason;
        Workflow.await(() -> !paused || abortReason != null || rollbackReason != null);
        stopIfAsked();
      }
    }
  }

  private void soak(Duration soak, String when) {
    state.phase = RolloutPhase.Soaking;
    state.reason =
        "soaking "
            + Durations.format(soak)
            + " "
            + when
            + " (until "
            + iso(now() + soak.toMillis())
            + ")";
    record("Soaking", null, state.reason);
    Workflow.await(soak, () -> abortReason != null || rollbackReason != null);
    stopIfAsked();
    state.phase = RolloutPhase.Rolling;
    state.reason = null;
  }

  // ---------------------------------------------------------------------------------------------
  // Surge

  /**
   * Launches {@code count} new instances and waits until their nodes are Ready (and burned in).
   *
   * @return false when they did not come and the onFailure policy paused (the batch is tried again
   *     after {@code resume})
   */
  private boolean surge(int count) {
    ClusterUpdates.RolloutLease lease = state.lease;
    RolloutBudget budget = state.budget();
    String target = state.target();
    GroupState before = cloud.describe(new CloudActivities.GroupRequest(ref, lease.groupName()));
    if (before == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the pool's Auto Scaling group " + lease.groupName() + " is gone", "RolloutFailed");
    }
    Set<String> known =
        before.instances().stream().map(CloudInstance::instanceId).collect(Collectors.toSet());
    int want = before.desiredCapacity() + count;
    cloud.resize(
        new CloudActivities.ResizeRequest(
            ref,
            lease.groupName(),
            Math.min(lease.min(), lease.desired() - budget.unavailable()),
            want,
            Math.max(Math.max(lease.max(), lease.desired() + budget.surge()), want)));
    long deadline = now() + lease.readyTimeout().toMillis();
    record("Surging", null, "batch " + state.batch + ": launching " + count + " new nodes");
    GroupState group =
        ClusterWorkflowImpl.awaiting(CloudActivities.class, deadline)
            .awaitInService(
                new CloudActivities.AwaitInServiceRequest(ref, lease.groupName(), want, deadline));
    List<CloudInstance> added =
        group.instances().stream()
            .filter(i -> !known.contains(i.instanceId()))
            .filter(
                i ->
                    !"Terminating".equals(i.lifecycleState())
                        && !"Terminated".equals(i.lifecycleState()))
            .toList();
    for (CloudInstance instance : added) {
      state.put(
          NodeRoll.of(instance.instanceId(), null, target, false, now())
              .in(NodePhase.Surging, now())
              .inBatch(state.batch));
    }
    List<String> providerIds =
        added.stream().filter(CloudInstance::inService).map(CloudInstance::providerId).toList();
    List<NodeView> found =
        providerIds.isEmpty()
            ? List.of()
            : ClusterWorkflowImpl.awaiting(NodeActivities.class, deadline)
                .awaitNodes(
                    new NodeActivities.AwaitNodesRequest(
                        ref, lease.pool().name(), providerIds, deadline));
    List<NodeView> ready = found.stream().filter(NodeView::ready).toList();
    if (!ready.isEmpty()) {
      NodePoolSpec pool = lease.pool();
      nodes.configureNodes(
          new NodeActivities.ConfigureNodesRequest(
              ref,
              pool.name(),
              ready.stream().map(NodeView::name).toList(),
              pool.labels(),
              pool.taints()));
    }
    Map<String, String> problems = new LinkedHashMap<>();
    Map<String, NodeView> byInstance = new LinkedHashMap<>();
    found.forEach(n -> byInstance.put(n.instanceId(), n));
    for (CloudInstance instance : added) {
      NodeView node = byInstance.get(instance.instanceId());
      NodeRoll roll = state.nodes.get(instance.instanceId());
      if (node != null) {
        roll = roll.withNode(node.name(), node.ready());
        state.put(roll);
      }
      if (node == null || !node.ready()) {
        problems.put(
            instance.instanceId(),
            node == null
                ? instance.instanceId()
                    + " has no Ready node ("
                    + instance.lifecycleState()
                    + (instance.failure() == null ? "" : ", " + instance.failure())
                    + ")"
                : "node " + node.name() + " is not Ready: " + node.reason());
      }
    }
    if (added.size() < count) {
      problems.put(
          "",
          (count - added.size()) + " of " + count + " instances were never launched by the group");
    }
    if (problems.isEmpty()) {
      problems.putAll(burnIn(added));
    }
    for (CloudInstance instance : added) {
      if (!problems.containsKey(instance.instanceId())) {
        NodeRoll roll = state.nodes.get(instance.instanceId());
        state.put(roll.in(NodePhase.Ready, now()));
        record(
            "NodeReady", roll.key(), "new node " + roll.key() + " is Ready on version " + target);
      }
    }
    if (problems.isEmpty()) {
      return true;
    }
    // The new nodes that failed go again, without replacement: the pool keeps its old nodes.
    for (String instanceId : problems.keySet()) {
      NodeRoll roll = state.nodes.get(instanceId);
      if (roll == null) {
        continue;
      }
      removeInstance(roll);
      state.put(roll.in(NodePhase.Failed, now()));
    }
    failed(
        "batch "
            + state.batch
            + ": "
            + problems.size()
            + " of "
            + count
            + " new nodes did not come within the cluster's readyTimeout ("
            + Durations.format(lease.readyTimeout())
            + "): "
            + String.join("; ", problems.values())
            + "; they were removed again");
    return false;
  }

  /** Burns in the new GPU nodes; answers the failures by instance id. */
  private Map<String, String> burnIn(List<CloudInstance> added) {
    NodePoolSpec pool = state.lease.pool();
    Map<String, String> failures = new LinkedHashMap<>();
    if (!pool.isGpu() || pool.gpu().validate() == null) {
      return failures;
    }
    GpuValidation check = pool.gpu().validate();
    Map<String, Promise<GpuActivities.BurnInResult>> runs = new LinkedHashMap<>();
    for (CloudInstance instance : added) {
      NodeRoll roll = state.nodes.get(instance.instanceId());
      state.put(roll.in(NodePhase.Validating, now()));
      runs.put(
          instance.instanceId(),
          Async.function(
              GpuBurnIns.onNode(roll.node(), check, GPU_AGENT_PICKUP)::burnIn,
              GpuBurnIns.request(check)));
    }
    for (Map.Entry<String, Promise<GpuActivities.BurnInResult>> run : runs.entrySet()) {
      String node = state.nodes.get(run.getKey()).key();
      try {
        GpuActivities.BurnInResult result = run.getValue().get();
        if (!result.passed()) {
          failures.put(
              run.getKey(),
              "node "
                  + node
                  + " failed its GPU burn-in: "
                  + result.devices().stream()
                      .filter(d -> !d.passed())
                      .map(d -> "device " + d.index() + ": " + d.failure())
                      .collect(Collectors.joining("; ")));
        } else {
          record("GpuValidated", node, "node " + node + " passed its GPU burn-in");
        }
      } catch (ActivityFailure failure) {
        if (failure.getCause() instanceof TimeoutFailure timeout
            && timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
          // As at creation: a node no GPU worker serves is said to be unvalidated, not failed.
          record(
              "GpuValidationSkipped",
              node,
              "no GPU worker picked up the burn-in of "
                  + node
                  + " within "
                  + Durations.format(GPU_AGENT_PICKUP)
                  + ": not validated (run `capstan worker --role gpu` on each GPU node)");
          continue;
        }
        failures.put(
            run.getKey(),
            "node " + node + "'s GPU burn-in did not run: " + ClusterWorkflowImpl.reason(failure));
      }
    }
    return failures;
  }

  /** How long a new GPU node's worker may take to pick its burn-in up. */
  static final Duration GPU_AGENT_PICKUP = Duration.ofMinutes(2);

  // ---------------------------------------------------------------------------------------------
  // Cordon, drain, terminate

  private void replace(NodeRoll node) {
    state.put(node);
    String name = node.node();
    if (name != null) {
      if (!node.cordoned()) {
        state.put(node.in(NodePhase.Cordoned, now()));
        nodes.cordon(ref, name);
        node = state.nodes.get(node.instanceId()).withCordon(true);
        state.put(node);
        record("Cordoned", name, "cordoned " + name);
      }
      if (!drain(node.instanceId())) {
        return;
      }
      node = state.nodes.get(node.instanceId());
      Duration grace = state.strategy.nodeDrainGracePeriod();
      if (!grace.isZero()) {
        Workflow.sleep(grace);
      }
    }
    if (!node.terminated()) {
      cloud.terminateInstance(
          new CloudActivities.TerminateRequest(
              ref, state.lease.groupName(), node.instanceId(), true));
      node = state.nodes.get(node.instanceId()).asTerminated(now());
      state.put(node);
      metrics().counter("capstan_rollout_nodes_rolled").inc(1);
      record(
          "Terminated",
          node.key(),
          "terminated " + node.instanceId() + (name == null ? "" : " (node " + name + ")"));
    }
    if (name != null) {
      nodes.deleteNodes(
          new NodeActivities.DeleteNodesRequest(ref, state.lease.pool().name(), List.of(name)));
    }
  }

  /**
   * Drains the node until it is empty, climbing the escalation ladder past its deadline.
   *
   * @return false when an operator skipped the node
   */
  private boolean drain(String instanceId) {
    NodeRoll node = state.nodes.get(instanceId);
    String name = node.node();
    if (node.drainStartedMillis() == 0) {
      node = node.withDrain(now(), 0, null, List.of());
      record("Draining", name, "draining " + name);
    }
    state.put(node.in(NodePhase.Draining, now()));
    while (true) {
      stopIfAsked();
      node = state.nodes.get(instanceId);
      long deadline =
          node.drainStartedMillis()
              + state.strategy.drainTimeout().toMillis()
              + node.drainExtensionMillis();
      long left = deadline - now();
      if (left <= 0) {
        if (!escalate(instanceId)) {
          return false;
        }
        continue;
      }
      long passMillis = Math.min(left, DRAIN_PASS.toMillis());
      long passStarted = now();
      NodeActivities.DrainPass pass =
          drainer.drainPass(
              new NodeActivities.DrainPassRequest(
                  ref,
                  name,
                  passMillis,
                  state.strategy.podEvictionTimeout().toMillis(),
                  state.strategy.deleteEmptyDirData(),
                  state.strategy.forceAllowed(),
                  state.evicting.getOrDefault(instanceId, Map.of())));
      state.evicting.put(instanceId, new LinkedHashMap<>(pass.evicting()));
      if (pass.refusals() > 0) {
        metrics().counter("capstan_rollout_evictions_blocked").inc(pass.refusals());
      }
      node = state.nodes.get(instanceId);
      List<String> why = pass.blocked().stream().map(NodeActivities.PodBlock::message).toList();
      node =
          node.withDrain(
              node.drainStartedMillis(), node.drainExtensionMillis(), pass.remaining().size(), why);
      state.put(node.phase() == NodePhase.Draining ? node : node.in(NodePhase.Draining, now()));
      if (pass.drained()) {
        state.evicting.remove(instanceId);
        long took = now() - node.drainStartedMillis();
        metrics().timer("capstan_rollout_drain").record(com.uber.m3.util.Duration.ofMillis(took));
        state.put(state.nodes.get(instanceId).in(NodePhase.Drained, now()));
        record(
            "Drained",
            name,
            "drained " + name + " in " + Durations.format(Duration.ofMillis(took)));
        return true;
      }
      // A pass that came back early with pods left (nothing it could do but wait) is not followed
      // by another at once: the next one starts when this one would have ended.
      long early = passMillis - (now() - passStarted);
      if (early > passMillis / 2) {
        Workflow.await(
            Duration.ofMillis(early), () -> abortReason != null || rollbackReason != null);
      }
    }
  }

  /**
   * A drain past its deadline: says what blocks it and applies the onFailure policy, or waits for
   * an operator's answer.
   *
   * @return false when the node was skipped
   */
  private boolean escalate(String instanceId) {
    NodeRoll node = state.nodes.get(instanceId);
    String name = node.node();
    String blockers =
        node.blockedBy().isEmpty()
            ? (node.podsLeft() == null ? "its pods" : node.podsLeft() + " pods") + " did not leave"
            : String.join("; ", node.blockedBy());
    String reason =
        "node "
            + name
            + ": drain past its timeout ("
            + Durations.format(
                state.strategy.drainTimeout().plusMillis(node.drainExtensionMillis()))
            + "): "
            + blockers;
    state.put(node.in(NodePhase.Blocked, now()));
    record("DrainBlocked", name, reason);
    RolloutOnFailure policy = state.definition.spec().onFailure();
    if (!state.rollingBack && policy == RolloutOnFailure.ROLLBACK) {
      throw new Stop(true, reason);
    }
    if (policy == RolloutOnFailure.ABORT) {
      throw new Stop(false, reason);
    }
    state.phase = RolloutPhase.Blocked;
    state.reason =
        reason
            + ". Answer with a signal: wait (more time), skip (leave the node out)"
            + (state.strategy.forceAllowed() ? ", force (delete the blocking pods)" : "")
            + ", or abort";
    while (true) {
      Workflow.await(
          () -> answers.containsKey(name) || abortReason != null || rollbackReason != null);
      stopIfAsked();
      Answer answer = answers.remove(name);
      if (answer == null) {
        continue;
      }
      node = state.nodes.get(instanceId);
      switch (answer.action()) {
        case WAIT -> {
          Duration extra = answer.extra() == null ? state.strategy.drainTimeout() : answer.extra();
          long overdue =
              now() - node.drainStartedMillis() - state.strategy.drainTimeout().toMillis();
          state.put(
              node.withDrain(
                      node.drainStartedMillis(),
                      Math.max(node.drainExtensionMillis(), overdue) + extra.toMillis(),
                      node.podsLeft(),
                      node.blockedBy())
                  .in(NodePhase.Draining, now()));
          record("DrainExtended", name, "waiting " + Durations.format(extra) + " more for " + name);
          unblocked();
          return true;
        }
        case SKIP -> {
          nodes.uncordon(ref, name);
          state.put(node.withCordon(false).in(NodePhase.Skipped, now()));
          state.evicting.remove(instanceId);
          record(
              "Skipped",
              name,
              "skipped " + name + ": schedulable again, it stays on version " + node.version());
          unblocked();
          return false;
        }
        case FORCE -> {
          if (!state.strategy.forceAllowed()) {
            record(
                "ForceRefused",
                name,
                "force refused for "
                    + name
                    + ": the strategy does not allow it (strategy.force: false); answer wait or"
                    + " skip, or abort");
            continue;
          }
          Map<String, String> pods = new LinkedHashMap<>();
          NodeActivities.DrainPass pass =
              drainer.drainPass(
                  new NodeActivities.DrainPassRequest(
                      ref,
                      name,
                      0,
                      state.strategy.podEvictionTimeout().toMillis(),
                      state.strategy.deleteEmptyDirData(),
                      true,
                      state.evicting.getOrDefault(instanceId, Map.of())));
          for (String pod : pass.remaining()) {
            NodeActivities.PodEviction eviction =
                state.evicting.getOrDefault(instanceId, Map.of()).get(pod);
            pods.put(pod, eviction == null ? null : eviction.uid());
          }
          List<String> deleted =
              nodes.deletePods(new NodeActivities.DeletePodsRequest(ref, name, pods));
          long overdue =
              now() - node.drainStartedMillis() - state.strategy.drainTimeout().toMillis();
          state.put(
              node.withDrain(
                      node.drainStartedMillis(),
                      overdue + state.strategy.podEvictionTimeout().toMillis(),
                      node.podsLeft(),
                      node.blockedBy())
                  .in(NodePhase.Draining, now()));
          record("Forced", name, "forced " + name + ": deleted " + String.join(", ", deleted));
          unblocked();
          return true;
        }
      }
    }
  }

  private void unblocked() {
    boolean stillBlocked =
        state.nodes.values().stream().anyMatch(n -> n.phase() == NodePhase.Blocked);
    if (!stillBlocked && state.phase == RolloutPhase.Blocked) {
      state.phase = state.rollingBack ? RolloutPhase.RollingBack : RolloutPhase.Rolling;
      state.reason = null;
    }
  }

  /** Terminates a new instance that failed, without replacement, and removes its node. */
  private void removeInstance(NodeRoll roll) {
    Workflow.newDetachedCancellationScope(
            () -> {
              cloudCleanup.terminateInstance(
                  new CloudActivities.TerminateRequest(
                      ref, state.lease.groupName(), roll.instanceId(), true));
              if (roll.node() != null) {
                nodesCleanup.deleteNodes(
                    new NodeActivities.DeleteNodesRequest(
                        ref, state.lease.pool().name(), List.of(roll.node())));
              }
            })
        .run();
  }

  /** A batch failed: the onFailure policy says what follows. */
  private void failed(String why) {
    record("BatchFailed", null, why);
    RolloutOnFailure policy = state.definition.spec().onFailure();
    if (policy == RolloutOnFailure.ROLLBACK && !state.rollingBack) {
      throw new Stop(true, why);
    }
    if (policy == RolloutOnFailure.ABORT) {
      throw new Stop(false, why);
    }
    paused = true;
    pauseReason = why + ". Send resume to try the batch again, rollback, or abort";
    state.phase = RolloutPhase.Paused;
    state.reason = pauseReason;
    Workflow.await(() -> !paused || abortReason != null || rollbackReason != null);
    stopIfAsked();
  }

  // ---------------------------------------------------------------------------------------------
  // Rollback and abort

  /** The saga's compensation: the previous version back, and the rolled nodes replaced. */
  private void turnBack(String why) {
    state.rollingBack = true;
    state.rollbackCause = why;
    state.phase = RolloutPhase.RollingBack;
    state.reason = "rolling back: " + why;
    record("RollingBack", null, state.reason);
    Workflow.newDetachedCancellationScope(this::putBack).run();
    for (NodeRoll node : List.copyOf(state.nodes.values())) {
      if (node.inPool() && node.phase() != NodePhase.Skipped) {
        boolean onTarget = state.target().equals(node.version());
        state.put(node.in(onTarget ? NodePhase.Ready : NodePhase.Pending, now()));
      }
    }
  }

  private void abortNow(String why) {
    putBack();
    for (NodeRoll node : List.copyOf(state.nodes.values())) {
      if (node.inPool() && node.phase() != NodePhase.Skipped) {
        state.put(
            node.in(
                state.toVersion().equals(node.version()) ? NodePhase.Ready : NodePhase.Pending,
                now()));
      }
    }
    long rolledNodes =
        state.nodes.values().stream()
            .filter(NodeRoll::inPool)
            .filter(n -> state.toVersion().equals(n.version()))
            .count();
    long others = state.nodes.values().stream().filter(NodeRoll::inPool).count() - rolledNodes;
    finish(
        RolloutPhase.Aborted,
        state.fromVersion,
        why
            + ". The pool keeps "
            + rolledNodes
            + " nodes on version "
            + state.toVersion()
            + " and "
            + others
            + " on others, and launches version "
            + state.fromVersion
            + " again");
  }

  /**
   * Undoes what a batch in progress did: cordoned nodes still there become schedulable again, new
   * instances not Ready go, and the group launches the previous version.
   */
  private void putBack() {
    if (state.lease == null) {
      return;
    }
    for (NodeRoll node : List.copyOf(state.nodes.values())) {
      if (!node.inPool()) {
        continue;
      }
      if (node.phase() == NodePhase.Surging || node.phase() == NodePhase.Validating) {
        removeInstance(node);
        state.put(node.in(NodePhase.Failed, now()));
        continue;
      }
      if (node.cordoned() && node.node() != null) {
        nodesCleanup.uncordon(ref, node.node());
        state.put(node.withCordon(false).withDrain(0, 0, null, List.of()));
        state.evicting.remove(node.instanceId());
        record("Uncordoned", node.node(), "made " + node.node() + " schedulable again");
      }
    }
    try {
      cloudCleanup.setLaunchTemplate(
          new CloudActivities.SetLaunchTemplateRequest(
              ref, state.lease.pool(), state.lease.groupName(), state.fromVersion));
    } catch (ActivityFailure failure) {
      record(
          "LaunchTemplateNotRestored",
          null,
          "could not set the group back to version "
              + state.fromVersion
              + ": "
              + ClusterWorkflowImpl.reason(failure));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Signals, Update, query

  @Override
  public RolloutStatus status() {
    return state == null ? null : state.status(now());
  }

  @Override
  public void pause(String reason) {
    paused = true;
    pauseReason =
        "paused by an operator" + (reason == null || reason.isBlank() ? "" : ": " + reason);
    if (state != null) {
      record("PauseAsked", null, pauseReason + " (takes effect before the next step)");
    }
  }

  @Override
  public void resume() {
    paused = false;
    if (state != null) {
      record("Resumed", null, "resumed");
    }
  }

  @Override
  public void abort(String reason) {
    abortReason = reason == null || reason.isBlank() ? "by an operator" : reason;
  }

  @Override
  public void rollback(String reason) {
    if (state != null && state.rollingBack) {
      record("RollbackIgnored", null, "already rolling back");
      return;
    }
    rollbackReason = reason == null || reason.isBlank() ? "by an operator" : reason;
  }

  @Override
  public void waitLonger(DrainAnswer answer) {
    Duration extra = null;
    if (answer != null && answer.duration() != null) {
      try {
        extra = Durations.parse(answer.duration());
      } catch (IllegalArgumentException bad) {
        record("AnswerRefused", answer.node(), "wait: " + bad.getMessage());
        return;
      }
    }
    answer(Action.WAIT, answer, extra);
  }

  @Override
  public void skip(DrainAnswer answer) {
    answer(Action.SKIP, answer, null);
  }

  @Override
  public void force(DrainAnswer answer) {
    answer(Action.FORCE, answer, null);
  }

  private void answer(Action action, DrainAnswer answer, Duration extra) {
    if (state == null) {
      return;
    }
    String node = answer == null ? null : answer.node();
    List<String> blocked =
        state.nodes.values().stream()
            .filter(n -> n.phase() == NodePhase.Blocked)
            .map(NodeRoll::node)
            .toList();
    List<String> to = node == null ? blocked : blocked.contains(node) ? List.of(node) : List.of();
    if (to.isEmpty()) {
      record(
          "AnswerIgnored",
          node,
          action.name().toLowerCase(java.util.Locale.ROOT)
              + (node == null ? "" : " for " + node)
              + ": no such drain is blocked"
              + (blocked.isEmpty() ? "" : " (blocked: " + String.join(", ", blocked) + ")"));
      return;
    }
    for (String name : to) {
      answers.put(name, new Answer(action, extra));
    }
  }

  @Override
  public void validateSetStrategy(SetStrategy request) {
    if (request == null || (request.maxSurge() == null && request.maxUnavailable() == null)) {
      throw new IllegalArgumentException(
          "setStrategy needs maxSurge or maxUnavailable (a count such as 2, or a percentage such"
              + " as \"25%\")");
    }
    if (state == null || state.phase.ended()) {
      throw new IllegalStateException("the rollout has ended");
    }
    if (request.maxSurge() != null) {
      RolloutBudget.problem("maxSurge", request.maxSurge())
          .ifPresent(
              p -> {
                throw new IllegalArgumentException(p);
              });
    }
    if (request.maxUnavailable() != null) {
      RolloutBudget.problem("maxUnavailable", request.maxUnavailable())
          .ifPresent(
              p -> {
                throw new IllegalArgumentException(p);
              });
    }
    state
        .strategy
        .withBudget(request.maxSurge(), request.maxUnavailable())
        .budget(Math.max(1, state.desired()));
  }

  @Override
  public RolloutStatus setStrategy(SetStrategy request) {
    state.strategy = state.strategy.withBudget(request.maxSurge(), request.maxUnavailable());
    record("StrategyChanged", null, "from the next batch: " + budgetText());
    return status();
  }

  // ---------------------------------------------------------------------------------------------
  // Bookkeeping

  private String budgetText() {
    String text =
        "maxSurge "
            + state.strategy.maxSurge()
            + ", maxUnavailable "
            + state.strategy.maxUnavailable();
    if (state.desired() > 0) {
      RolloutBudget budget = state.budget();
      text +=
          " (" + budget.surge() + " and " + budget.unavailable() + " of " + state.desired() + ")";
    }
    return text;
  }

  private long rolledCount() {
    return state.nodes.values().stream()
        .filter(NodeRoll::inPool)
        .filter(n -> state.toVersion().equals(n.version()))
        .count();
  }

  private String skippedNote() {
    List<String> skipped = kept().stream().map(NodeRoll::key).toList();
    return skipped.isEmpty()
        ? ""
        : "; skipped by an operator, still on their version: " + String.join(", ", skipped);
  }

  private com.uber.m3.tally.Scope metrics() {
    return Workflow.getMetricsScope()
        .tagged(
            Map.of(
                "cluster", state.definition.spec().cluster(),
                "pool", state.definition.spec().nodePool()));
  }

  private void record(String type, String node, String message) {
    LOG.info("rollout {}: {}", Workflow.getInfo().getWorkflowId(), message);
    state.record(now(), type, node, message);
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
