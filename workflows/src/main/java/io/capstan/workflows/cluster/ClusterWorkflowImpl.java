package io.capstan.workflows.cluster;

import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Durations;
import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.BudgetSpec;
import io.capstan.definitions.cluster.GpuValidation;
import io.capstan.definitions.cluster.LaunchTemplateRef;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.cluster.OnBudget;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuActivities;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowLock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The cluster entity. Creation brings every pool up in parallel (group, instances in service, nodes
 * Ready and matched by providerID, labels and taints applied) against the {@code readyTimeout};
 * anything that fails, or a cancel, undoes what was made in reverse order in a detached scope, and
 * the run fails saying what failed and what was removed. Then the loop: Updates run one at a time
 * under a workflow lock (samples-java {@code safemessagepassing}), and between them a periodic
 * round charges the cost meter, checks the budget and runs the autoscaler. The run continues as new
 * when its history grows long and nothing is in flight.
 */
public final class ClusterWorkflowImpl implements ClusterWorkflow {
  /** The history length past which an idle cluster continues as new. */
  static final int DEFAULT_HISTORY_LIMIT = 10_000;

  /** How often the cost and budget are checked when the autoscaler is off. */
  static final Duration BUDGET_ROUND = Duration.ofMinutes(5);

  /** The autoscaler's round at most (cluster-autoscaler scans every 10 s; a workflow is dearer). */
  static final Duration MAX_AUTOSCALER_ROUND = Duration.ofSeconds(30);

  static final Duration MIN_AUTOSCALER_ROUND = Duration.ofSeconds(2);

  /** How often a cluster whose pools rollouts hold checks that those runs still live. */
  static final Duration ROLLOUT_ROUND = Duration.ofMinutes(2);

  /**
   * How near the creation deadline a pool's failure counts as the deadline's: the waits end on
   * their worker's clock, a little apart from workflow time.
   */
  static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

  /** How long a scale-down or a pool removal retries evictions before it gives up on a node. */
  static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private static final Logger LOG = Workflow.getLogger(ClusterWorkflowImpl.class);

  /** A cluster's calls: retried with backoff, never when the cloud refuses them as invalid. */
  public static final RetryOptions CALL_RETRIES =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2)
          .setMaximumInterval(Duration.ofSeconds(20))
          .setMaximumAttempts(10)
          .setDoNotRetry(CloudActivities.INVALID_REQUEST, CloudActivities.GROUP_CONFLICT)
          .build();

  /** Undoing never gives up: a half-created cluster must not be left behind. */
  public static final RetryOptions CLEANUP_RETRIES =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(2))
          .setBackoffCoefficient(2)
          .setMaximumInterval(Duration.ofMinutes(1))
          .build();

  /**
   * Canceled calls are waited for: a group creation canceled because another pool failed must have
   * finished before the saga looks for what to delete, or it could make a group nothing tracks.
   */
  /**
   * The {@code Workflow.getVersion} change id of burning in GPU pools' nodes at creation; before
   * it, the validation was recorded as not run.
   */
  static final String GPU_POOL_VALIDATION = "gpu-pool-validation";

  /**
   * How long a GPU node's worker may take to pick its burn-in up before the node counts unserved.
   */
  static final Duration GPU_AGENT_PICKUP = Duration.ofSeconds(30);

  /** How many times a pool's failing GPU nodes are replaced before its creation fails. */
  static final int GPU_REPLACEMENTS = 2;

  /** On the infrastructure queue; canceled calls are waited for (see above). */
  public static final ActivityOptions CALLS =
      ActivityOptions.newBuilder()
          .setTaskQueue(TaskQueues.INFRASTRUCTURE)
          .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
          .setStartToCloseTimeout(Duration.ofSeconds(60))
          .setRetryOptions(CALL_RETRIES)
          .build();

  private final CloudActivities cloud = Workflow.newActivityStub(CloudActivities.class, CALLS);
  private final NodeActivities nodes = Workflow.newActivityStub(NodeActivities.class, CALLS);
  private final CloudActivities cloudCleanup =
      Workflow.newActivityStub(
          CloudActivities.class,
          ActivityOptions.newBuilder(CALLS)
              // A real group with running instances takes minutes to go; the wait heartbeats.
              .setStartToCloseTimeout(Duration.ofMinutes(30))
              .setHeartbeatTimeout(Duration.ofMinutes(1))
              .setRetryOptions(CLEANUP_RETRIES)
              .build());
  private final NodeActivities nodesCleanup =
      Workflow.newActivityStub(
          NodeActivities.class,
          ActivityOptions.newBuilder(CALLS).setRetryOptions(CLEANUP_RETRIES).build());
  private final RolloutRunActivities rolloutRuns =
      Workflow.newActivityStub(
          RolloutRunActivities.class,
          ActivityOptions.newBuilder(CALLS).setTaskQueue(TaskQueues.ENTITY_CALLS).build());
  private final AlertActivities alerting =
      Workflow.newActivityStub(
          AlertActivities.class,
          ActivityOptions.newBuilder(CALLS)
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder(CALL_RETRIES).setMaximumAttempts(3).build())
              .build());

  private final WorkflowLock lock = Workflow.newWorkflowLock();
  private final List<String> queued = new ArrayList<>();
  private final Map<String, String> lastHold = new HashMap<>();
  private ClusterStatus.Operation operation;
  private ClusterState state;
  private ClusterRef ref;
  private boolean deleted;
  private String roundFailure;

  /** Until when a pool's scale-ups are held after one whose nodes did not come (workflow time). */
  private final Map<String, Long> scaleUpHeldUntil = new HashMap<>();

  /** How long a pool's autoscaler scale-ups wait after one whose nodes did not come. */
  static final Duration SCALE_UP_BACKOFF = Duration.ofMinutes(5);

  @Override
  public ClusterStatus run(ClusterInput input) {
    ClusterDefinition definition = input.definition();
    ref = ClusterRef.of(definition);
    int historyLimit = input.historyLimit() == null ? DEFAULT_HISTORY_LIMIT : input.historyLimit();
    if (input.carry() == null) {
      state = new ClusterState(definition, now());
      lock.lock();
      try {
        create();
      } finally {
        lock.unlock();
      }
      if (state.phase == ClusterPhase.Failed) {
        // Operations that waited for creation are refused by now; let them answer first.
        Workflow.await(Workflow::isEveryHandlerFinished);
        throw ApplicationFailure.newNonRetryableFailure(state.failure, "ClusterCreationFailed");
      }
    } else {
      state = ClusterState.restore(definition, input.carry());
    }
    try {
      while (true) {
        Workflow.await(() -> deleted || (operation == null && queued.isEmpty()));
        if (deleted) {
          break;
        }
        if (Workflow.getInfo().getHistoryLength() > historyLimit
            || Workflow.getInfo().isContinueAsNewSuggested()) {
          Workflow.await(() -> Workflow.isEveryHandlerFinished() && queued.isEmpty());
          if (!deleted) {
            Workflow.continueAsNew(new ClusterInput(definition, state.snapshot(), historyLimit));
          }
        }
        Duration round = round();
        boolean woke;
        if (round == null) {
          // A rollout taking a pool (no operation) starts the rounds that watch its run.
          Workflow.await(
              () -> deleted || !queued.isEmpty() || operation != null || !state.rollouts.isEmpty());
          woke = true;
        } else {
          woke = Workflow.await(round, () -> deleted || !queued.isEmpty() || operation != null);
        }
        if (!woke) {
          lock.lock();
          try {
            if (!deleted) {
              periodic();
            }
          } finally {
            lock.unlock();
          }
        }
      }
    } catch (CanceledFailure canceled) {
      // Canceling a cluster's run deletes the cluster: the run is the cluster, and ending it
      // without removing what it made would leave instances running that nothing tracks. The
      // operation in progress unwinds first (it was canceled too), so nothing is removed twice.
      Workflow.newDetachedCancellationScope(
              () -> {
                lock.lock();
                try {
                  if (!deleted) {
                    removeEverything("the run was canceled");
                  }
                } finally {
                  lock.unlock();
                }
                Workflow.await(Workflow::isEveryHandlerFinished);
              })
          .run();
      throw canceled;
    }
    Workflow.await(Workflow::isEveryHandlerFinished);
    return status();
  }

  // ---------------------------------------------------------------------------------------------
  // Creation

  /** Something to undo: a pool's group and its nodes. */
  private record Undo(String pool, String group) {}

  private void create() {
    ClusterDefinition definition = state.definition();
    Duration readyTimeout = definition.spec().readyTimeout();
    long deadline = now() + readyTimeout.toMillis();
    record("Creating", null, "creating " + definition.spec().nodePools().size() + " pools");
    List<Undo> undo = new ArrayList<>();
    Map<String, Promise<String>> pools = new LinkedHashMap<>();
    // The pools are listed in the definition's order, whichever comes up first.
    for (NodePoolSpec pool : definition.spec().nodePools()) {
      state.pools.put(
          pool.name(),
          new ClusterState.Pool(
              pool,
              ref.groupName(pool.name()),
              pool.minSize(),
              pool.desiredSize(),
              pool.maxSize(),
              null,
              Map.of()));
    }
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> {
              for (NodePoolSpec pool : definition.spec().nodePools()) {
                pools.put(pool.name(), Async.function(() -> createPool(pool, undo, deadline, "")));
              }
            });
    String problem;
    try {
      scope.run();
      Workflow.await(
          () ->
              pools.values().stream().allMatch(Promise::isCompleted)
                  || pools.values().stream().anyMatch(ClusterWorkflowImpl::failed));
      problem = problems(pools);
      if (problem != null) {
        // A failure well before the deadline (a refused launch template) stops the other pools
        // where they are. One at the deadline (nodes never Ready) is answered by every pool still
        // waiting at about the same moment, so they are let finish and every failing pool says
        // why, rather than one reason and the rest canceled.
        if (deadline - now() > DEADLINE_MARGIN.toMillis()) {
          scope.cancel();
        }
        Workflow.await(() -> pools.values().stream().allMatch(Promise::isCompleted));
        problem = problems(pools);
      }
    } catch (CanceledFailure canceled) {
      scope.cancel();
      problem = "the run was canceled during creation";
      String why = problem;
      Workflow.newDetachedCancellationScope(() -> failCreation(why, undo)).run();
      throw canceled;
    }
    if (problem != null) {
      String why = problem;
      Workflow.newDetachedCancellationScope(() -> failCreation(why, undo)).run();
      return;
    }
    state.phase = ClusterPhase.Ready;
    checkBudget();
    record(
        "Ready",
        null,
        "cluster ready: "
            + state.pools.values().stream().mapToInt(ClusterState.Pool::ready).sum()
            + " nodes in "
            + state.pools.size()
            + " pools");
  }

  private static boolean failed(Promise<String> pool) {
    return pool.isCompleted() && (pool.getFailure() != null || pool.get() != null);
  }

  /** What went wrong across pools, canceled ones left out; null when nothing did. */
  private static String problems(Map<String, Promise<String>> pools) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Promise<String>> pool : pools.entrySet()) {
      Promise<String> promise = pool.getValue();
      if (!promise.isCompleted()) {
        continue;
      }
      RuntimeException failure = promise.getFailure();
      if (failure != null) {
        if (!canceled(failure)) {
          problems.add("pool " + pool.getKey() + ": " + reason(failure));
        }
      } else if (promise.get() != null) {
        problems.add(promise.get());
      }
    }
    return problems.isEmpty() ? null : String.join("; ", problems);
  }

  /**
   * Brings one pool up: instance type, group, instances in service, nodes Ready and configured.
   *
   * @return what went wrong, naming the pool; null when it is up
   */
  private String createPool(NodePoolSpec spec, List<Undo> undo, long deadline, String context) {
    String group = ref.groupName(spec.name());
    InstanceTypeInfo type = cloud.instanceType(spec.instanceType());
    state.pools.put(
        spec.name(),
        new ClusterState.Pool(
            spec, group, spec.minSize(), spec.desiredSize(), spec.maxSize(), type, Map.of()));
    if (!type.known()) {
      record(
          "InstanceTypeUnknown",
          spec.name(),
          "instance type "
              + spec.instanceType()
              + " is not in Capstan's price table: cost and capacity are estimates");
    }
    // Registered before the call: a create that timed out may still have made the group.
    undo.add(new Undo(spec.name(), group));
    GroupState made =
        cloud.ensureGroup(new CloudActivities.EnsureGroupRequest(ref, spec, spec.desiredSize()));
    record(
        made.created() ? "GroupCreated" : "GroupFound",
        spec.name(),
        (made.created() ? "created group " : "found group ")
            + group
            + (made.created() ? "" : " (made by an earlier attempt)")
            + context
            + ": min "
            + made.minSize()
            + ", desired "
            + made.desiredCapacity()
            + ", max "
            + made.maxSize());
    String problem = bringUp(spec.name(), spec.desiredSize(), deadline, Set.of());
    if (problem != null) {
      return problem;
    }
    return validateGpus(spec);
  }

  /**
   * Waits until {@code count} instances of the pool are in service and every one has a Ready node,
   * then gives the nodes the pool's labels and taints.
   *
   * @return what is missing at the deadline, naming the pool; null when all is there
   */
  private String bringUp(String poolName, int count, long deadline, Set<String> known) {
    ClusterState.Pool pool = state.pools.get(poolName);
    step("waiting for " + count + " instances of " + poolName + " in service");
    GroupState group =
        awaiting(CloudActivities.class, deadline)
            .awaitInService(
                new CloudActivities.AwaitInServiceRequest(ref, pool.groupName(), count, deadline));
    List<CloudInstance> inService =
        group.instances().stream().filter(CloudInstance::inService).toList();
    // Only the instances this step added are waited for: an old node's hiccup is not this
    // step's failure, and is never pruned as one.
    List<CloudInstance> added =
        inService.stream().filter(i -> !known.contains(i.instanceId())).toList();
    track(poolName, group, List.of());
    if (inService.size() < count) {
      List<String> why = new ArrayList<>();
      for (CloudInstance instance : group.instances()) {
        if (!instance.inService()) {
          why.add(
              instance.instanceId()
                  + " "
                  + instance.lifecycleState()
                  + (instance.failure() == null ? "" : " (" + instance.failure() + ")"));
        }
      }
      return "pool "
          + poolName
          + ": "
          + inService.size()
          + " of "
          + count
          + " instances in service by the deadline"
          + (why.isEmpty() ? "" : ": " + String.join(", ", why));
    }
    step("waiting for the nodes of " + added.size() + " instances of " + poolName);
    List<NodeView> found =
        awaiting(NodeActivities.class, deadline)
            .awaitNodes(
                new NodeActivities.AwaitNodesRequest(
                    ref,
                    poolName,
                    added.stream().map(CloudInstance::providerId).toList(),
                    deadline));
    track(poolName, group, found);
    if (!found.isEmpty()) {
      step("applying labels and taints to " + found.size() + " nodes of " + poolName);
      NodePoolSpec spec = pool.spec();
      List<NodeView> configured =
          nodes.configureNodes(
              new NodeActivities.ConfigureNodesRequest(
                  ref,
                  poolName,
                  found.stream().map(NodeView::name).toList(),
                  spec.labels(),
                  spec.taints()));
      track(poolName, group, configured);
    }
    Map<String, NodeView> byInstance = new LinkedHashMap<>();
    found.forEach(node -> byInstance.put(node.instanceId(), node));
    List<CloudInstance> notReady =
        added.stream()
            .filter(
                i ->
                    !byInstance.containsKey(i.instanceId())
                        || !byInstance.get(i.instanceId()).ready())
            .toList();
    if (!notReady.isEmpty()) {
      // The cloud may know by now why an instance never became a node (a state reason, an
      // injected failure): ask once more, now that the wait is over.
      Map<String, String> failures = new LinkedHashMap<>();
      added.forEach(i -> failures.put(i.instanceId(), i.failure()));
      GroupState latest = cloud.describe(new CloudActivities.GroupRequest(ref, pool.groupName()));
      if (latest != null) {
        latest.instances().stream()
            .filter(i -> i.failure() != null)
            .forEach(i -> failures.put(i.instanceId(), i.failure()));
      }
      List<String> missing = new ArrayList<>();
      for (CloudInstance instance : notReady) {
        NodeView node = byInstance.get(instance.instanceId());
        String failure = failures.get(instance.instanceId());
        missing.add(
            node == null
                ? instance.instanceId()
                    + " has no node"
                    + (failure == null ? "" : " (" + failure + ")")
                : "node "
                    + node.name()
                    + " ("
                    + instance.instanceId()
                    + ") is not Ready"
                    + (node.reason() == null ? "" : ": " + node.reason()));
      }
      return "pool "
          + poolName
          + ": "
          + missing.size()
          + " of "
          + added.size()
          + " nodes not Ready within the readyTimeout ("
          + Durations.format(state.definition().spec().readyTimeout())
          + "): "
          + String.join("; ", missing);
    }
    record(
        "NodesReady",
        poolName,
        found.size() + " nodes of " + poolName + " Ready, labelled and tainted");
    return null;
  }

  /**
   * Burns in every node of a GPU pool on the node's own GPU queue ({@code capstan-gpu@NODE}, served
   * by a GPU worker on the node) before the pool counts as Ready. A node that fails is cordoned and
   * its instance terminated without lowering the desired capacity, so the group replaces it, and
   * the replacement is burned in too, up to {@link #GPU_REPLACEMENTS} times. A node that no GPU
   * worker serves cannot be validated: that is recorded, not pretended, and not a failure.
   *
   * @return why the pool failed; null when it passed or could not be validated
   */
  private String validateGpus(NodePoolSpec spec) {
    if (!spec.isGpu() || spec.gpu().validate() == null) {
      return null;
    }
    if (Workflow.getVersion(GPU_POOL_VALIDATION, Workflow.DEFAULT_VERSION, 1) < 1) {
      record(
          "GpuValidationNotRun",
          spec.name(),
          "GPU validation ("
              + spec.gpu().validate().op().name().toLowerCase(Locale.ROOT).replace('_', '-')
              + ") of pool "
              + spec.name()
              + " not run: no GPU host worker serves GPU activities in this version");
      return null;
    }
    GpuValidation check = spec.gpu().validate();
    Set<String> passed = new java.util.LinkedHashSet<>();
    List<String> failures = new ArrayList<>();
    for (int round = 0; ; round++) {
      ClusterState.Pool pool = state.pools.get(spec.name());
      Map<String, String> instanceOf = new LinkedHashMap<>();
      for (ClusterState.Instance instance : pool.instances().values()) {
        if (instance.node() != null && !passed.contains(instance.node())) {
          instanceOf.put(instance.node(), instance.instanceId());
        }
      }
      step("burning in " + instanceOf.size() + " GPU nodes of " + spec.name());
      Map<String, Promise<GpuActivities.BurnInResult>> runs = new LinkedHashMap<>();
      for (String node : instanceOf.keySet()) {
        runs.put(
            node,
            Async.function(
                GpuBurnIns.onNode(node, check, GPU_AGENT_PICKUP)::burnIn,
                GpuBurnIns.request(check)));
      }
      Map<String, String> failed = new LinkedHashMap<>();
      List<String> unserved = new ArrayList<>();
      for (Map.Entry<String, Promise<GpuActivities.BurnInResult>> run : runs.entrySet()) {
        String node = run.getKey();
        try {
          GpuActivities.BurnInResult result = run.getValue().get();
          if (result.passed()) {
            passed.add(node);
          } else {
            failed.put(
                node,
                result.devices().stream()
                    .filter(d -> !d.passed())
                    .map(d -> "device " + d.index() + ": " + d.failure())
                    .collect(java.util.stream.Collectors.joining("; ")));
          }
        } catch (ActivityFailure failure) {
          if (failure.getCause() instanceof io.temporal.failure.TimeoutFailure timeout
              && timeout.getTimeoutType()
                  == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START) {
            unserved.add(node);
          } else {
            failed.put(node, reason(failure));
          }
        }
      }
      if (!unserved.isEmpty()) {
        record(
            "GpuValidationSkipped",
            spec.name(),
            "no GPU worker picked up the burn-in of "
                + unserved
                + " within "
                + Durations.format(GPU_AGENT_PICKUP)
                + ": not validated (run `capstan worker --role gpu --host NODE` on each GPU node,"
                + " as a DaemonSet)");
      }
      if (failed.isEmpty()) {
        if (!passed.isEmpty()) {
          record(
              "GpuValidated",
              spec.name(),
              passed.size() + " GPU nodes of " + spec.name() + " passed their burn-in");
        }
        return null;
      }
      failed.forEach(
          (node, why) -> {
            failures.add(node + " (" + why + ")");
            record(
                "GpuNodeFailed",
                spec.name(),
                "node " + node + " failed its GPU burn-in: " + why + "; cordoned and replaced");
          });
      if (round >= GPU_REPLACEMENTS) {
        return "pool "
            + spec.name()
            + ": GPU nodes kept failing their burn-in after "
            + GPU_REPLACEMENTS
            + " replacements: "
            + String.join(", ", failures);
      }
      Set<String> known = new java.util.HashSet<>(pool.instances().keySet());
      for (String node : failed.keySet()) {
        String instance = instanceOf.get(node);
        draining().drain(new NodeActivities.DrainRequest(ref, node, 0));
        cloud.terminateInstance(
            new CloudActivities.TerminateRequest(ref, pool.groupName(), instance, false));
        known.remove(instance);
      }
      long deadline = now() + state.definition().spec().readyTimeout().toMillis();
      String problem = bringUp(spec.name(), pool.desired(), deadline, known);
      if (problem != null) {
        return problem;
      }
    }
  }

  /**
   * Undoes a failed creation in reverse order and marks the cluster Failed.
   *
   * @return what was removed
   */
  private List<String> failCreation(String problem, List<Undo> undo) {
    record("CreationFailed", null, problem);
    state.phase = ClusterPhase.Deleting;
    List<String> removed = new ArrayList<>();
    List<Undo> reversed = new ArrayList<>(undo);
    Collections.reverse(reversed);
    List<String> left = new ArrayList<>();
    for (Undo step : reversed) {
      try {
        removed.addAll(dismantle(step.pool(), step.group()));
      } catch (ActivityFailure | ApplicationFailure failure) {
        // Go on with the rest; what could not be removed is named in the failure.
        left.add("group " + step.group() + " (" + reason(failure) + ")");
      }
    }
    state.phase = ClusterPhase.Failed;
    state.failure =
        "cluster "
            + ref.key()
            + " was not created: "
            + problem
            + ". Removed, in reverse order: "
            + (removed.isEmpty()
                ? "nothing (nothing had been created)"
                : String.join(", ", removed))
            + (left.isEmpty() ? "" : ". NOT removed, remove by hand: " + String.join(", ", left));
    LOG.warn(state.failure);
    return removed;
  }

  /** Deletes a pool's group and nodes, never giving up, and says what went. */
  private List<String> dismantle(String poolName, String group) {
    List<String> removed = new ArrayList<>();
    ClusterState.Pool pool = state.pools.get(poolName);
    int instances = pool == null ? 0 : pool.instances().size();
    step("deleting group " + group);
    if (cloudCleanup.deleteGroup(new CloudActivities.GroupRequest(ref, group))) {
      removed.add(
          "group " + group + " (" + instances + " instance" + (instances == 1 ? "" : "s") + ")");
    }
    List<String> gone =
        nodesCleanup.deleteNodes(new NodeActivities.DeleteNodesRequest(ref, poolName, null));
    if (!gone.isEmpty()) {
      removed.add(gone.size() + " node" + (gone.size() == 1 ? "" : "s") + " of pool " + poolName);
    }
    if (pool != null) {
      chargeCost();
      state.pools.put(poolName, pool.withInstances(Map.of()));
    }
    record(
        "PoolRemoved",
        poolName,
        "removed " + (removed.isEmpty() ? "nothing" : String.join(" and ", removed)));
    return removed;
  }

  // ---------------------------------------------------------------------------------------------
  // The periodic round: cost, budget, autoscaler

  private Duration round() {
    if (state.phase != ClusterPhase.Ready) {
      return null;
    }
    if (!state.rollouts.isEmpty()) {
      Duration autoscaling = state.autoscaling.enabled() ? MAX_AUTOSCALER_ROUND : ROLLOUT_ROUND;
      return autoscaling.compareTo(ROLLOUT_ROUND) < 0 ? autoscaling : ROLLOUT_ROUND;
    }
    AutoscalingSpec autoscaling = state.autoscaling;
    if (autoscaling.enabled()) {
      Duration half = autoscaling.scaleDownDelay().dividedBy(2);
      if (half.compareTo(MAX_AUTOSCALER_ROUND) > 0) {
        return MAX_AUTOSCALER_ROUND;
      }
      return half.compareTo(MIN_AUTOSCALER_ROUND) < 0 ? MIN_AUTOSCALER_ROUND : half;
    }
    return state.definition().spec().budget() == null ? null : BUDGET_ROUND;
  }

  /**
   * One round. A failure of its calls (Kubernetes unreachable for minutes) is recorded and the next
   * round tries again: the cluster outlives an outage of what it watches.
   */
  private void periodic() {
    try {
      chargeCost();
      checkBudget();
      releaseEndedRollouts();
      if (state.autoscaling.enabled() && state.phase == ClusterPhase.Ready) {
        autoscale();
      }
      if (roundFailure != null) {
        record("RoundRecovered", null, "the periodic round works again");
        roundFailure = null;
      }
    } catch (ActivityFailure | ApplicationFailure failure) {
      if (canceled(failure)) {
        throw new CanceledFailure("the cluster's run was canceled");
      }
      String why = reason(failure);
      if (!why.equals(roundFailure)) {
        record("RoundFailed", null, "the periodic round failed, and is tried again: " + why);
      }
      roundFailure = why;
    }
  }

  private void autoscale() {
    ClusterLoad load = nodes.load(ref);
    observe(load);
    List<Autoscaler.PoolShape> shapes = new ArrayList<>();
    for (ClusterState.Pool pool : state.pools.values()) {
      NodePoolSpec spec = pool.spec();
      InstanceTypeInfo type = pool.type();
      // What a pod's node selector may name: the pool's labels and those every node of the pool
      // gets from Capstan and its cloud.
      Map<String, String> labels = new LinkedHashMap<>(spec.labels());
      labels.put(NodeActivities.CLUSTER_LABEL, ref.name());
      labels.put(NodeActivities.CLUSTER_NAMESPACE_LABEL, ref.namespace());
      labels.put(NodeActivities.POOL_LABEL, spec.name());
      labels.put("node.kubernetes.io/instance-type", spec.instanceType());
      shapes.add(
          new Autoscaler.PoolShape(
              spec.name(),
              pool.min(),
              pool.max(),
              pool.desired(),
              labels,
              spec.taints(),
              type.vcpus() * 1000L,
              spec.isGpu() ? spec.gpu().perNode() : type.gpus(),
              type.hourly(spec.isSpot())));
    }
    List<Autoscaler.Decision> decisions =
        state.autoscaler.decide(state.autoscaling, shapes, load, now(), state.scaleUpsHeld);
    Set<String> holding = new TreeSet<>();
    for (Autoscaler.Decision decision : decisions) {
      if (decision.action() != Autoscaler.Action.HOLD
          && decision.pool() != null
          && state.rollouts.containsKey(decision.pool())) {
        String reason =
            "pool "
                + decision.pool()
                + " is being rolled by "
                + state.rollouts.get(decision.pool())
                + ": its autoscaler waits for the rollout (wanted: "
                + decision.reason()
                + ")";
        hold(decision.pool(), reason, holding);
        continue;
      }
      switch (decision.action()) {
        case HOLD -> {
          hold(decision.pool(), decision.reason(), holding);
        }
        case SCALE_UP -> {
          Long heldUntil = scaleUpHeldUntil.get(decision.pool());
          if (heldUntil != null && heldUntil > now()) {
            String reason =
                "scale-up of "
                    + decision.pool()
                    + " held until "
                    + iso(heldUntil)
                    + " after one whose nodes did not come (wanted: "
                    + decision.reason()
                    + ")";
            hold(decision.pool(), reason, holding);
            continue;
          }
          state.autoscaler.scaledUp(now());
          record(
              "AutoscalerScaleUp",
              decision.pool(),
              "scale up "
                  + decision.pool()
                  + " "
                  + decision.from()
                  + " → "
                  + decision.to()
                  + ": "
                  + decision.reason());
          autoscalerOperation(
              "autoscaler: scale up " + decision.pool(),
              () -> growPool(decision.pool(), decision.to()));
        }
        case REMOVE_NODE -> {
          record(
              "AutoscalerScaleDown",
              decision.pool(),
              "scale down "
                  + decision.pool()
                  + " "
                  + decision.from()
                  + " → "
                  + decision.to()
                  + ": "
                  + decision.reason());
          autoscalerOperation(
              "autoscaler: remove node " + decision.node(),
              () -> removeNode(decision.pool(), decision.node(), decision.instanceId()));
        }
      }
    }
    lastHold.keySet().retainAll(holding);
  }

  /** Records a hold of {@code pool} (null for the whole cluster), once per distinct reason. */
  private void hold(String pool, String reason, Set<String> holding) {
    String key = pool == null ? "" : pool;
    holding.add(key);
    if (!reason.equals(lastHold.get(key))) {
      lastHold.put(key, reason);
      record("AutoscalerHold", pool, reason);
    }
  }

  private void autoscalerOperation(String name, Runnable body) {
    operation = new ClusterStatus.Operation(name, iso(now()), null);
    state.phase = ClusterPhase.Updating;
    try {
      body.run();
    } catch (ActivityFailure | ApplicationFailure failure) {
      record("AutoscalerFailed", null, name + " failed: " + reason(failure));
    } finally {
      state.phase = ClusterPhase.Ready;
      operation = null;
    }
    chargeCost();
    checkBudget();
  }

  /** Readiness from Kubernetes, for the status. */
  private void observe(ClusterLoad load) {
    Map<String, ClusterLoad.NodeLoad> byInstance = new HashMap<>();
    load.nodes().forEach(node -> byInstance.put(node.instanceId(), node));
    for (ClusterState.Pool pool : List.copyOf(state.pools.values())) {
      Map<String, ClusterState.Instance> instances = new LinkedHashMap<>();
      for (ClusterState.Instance instance : pool.instances().values()) {
        ClusterLoad.NodeLoad node = byInstance.get(instance.instanceId());
        instances.put(
            instance.instanceId(),
            node == null
                ? new ClusterState.Instance(
                    instance.instanceId(),
                    instance.zone(),
                    instance.node(),
                    false,
                    instance.version())
                : new ClusterState.Instance(
                    instance.instanceId(),
                    instance.zone(),
                    node.name(),
                    node.ready(),
                    instance.version()));
      }
      state.pools.put(pool.spec().name(), pool.withInstances(instances));
    }
  }

  /** Raises a pool's desired capacity and brings the new nodes up; prunes what does not come. */
  private void growPool(String poolName, int desired) {
    ClusterState.Pool pool = state.pools.get(poolName);
    Set<String> known = new TreeSet<>(pool.instances().keySet());
    int max = Math.max(pool.max(), desired);
    step("setting " + poolName + " desired capacity to " + desired);
    track(
        poolName,
        cloud.resize(
            new CloudActivities.ResizeRequest(ref, pool.groupName(), pool.min(), desired, max)),
        List.of());
    state.pools.put(poolName, state.pools.get(poolName).withBounds(pool.min(), desired, max));
    String problem =
        bringUp(
            poolName, desired, now() + state.definition().spec().readyTimeout().toMillis(), known);
    if (problem != null) {
      scaleUpHeldUntil.put(poolName, now() + SCALE_UP_BACKOFF.toMillis());
      record(
          "ScaleUpIncomplete",
          poolName,
          problem
              + "; removing the new instances that did not come, and holding "
              + poolName
              + "'s scale-ups for "
              + Durations.format(SCALE_UP_BACKOFF));
      pruneUnready(poolName, known);
      throw ApplicationFailure.newNonRetryableFailure(problem, "ScaleUpIncomplete");
    }
  }

  /**
   * Terminates the instances a scale-up added that have no Ready node, decrementing the capacity
   * (back to what it was, never below it). Instances that were there before are left alone.
   */
  private void pruneUnready(String poolName, Set<String> known) {
    ClusterState.Pool pool = state.pools.get(poolName);
    List<String> nodeNames = new ArrayList<>();
    int removed = 0;
    for (ClusterState.Instance instance : List.copyOf(pool.instances().values())) {
      if (instance.ready() || known.contains(instance.instanceId())) {
        continue;
      }
      cloudCleanup.terminateInstance(
          new CloudActivities.TerminateRequest(ref, pool.groupName(), instance.instanceId(), true));
      removed++;
      if (instance.node() != null) {
        nodeNames.add(instance.node());
      }
    }
    if (!nodeNames.isEmpty()) {
      nodesCleanup.deleteNodes(new NodeActivities.DeleteNodesRequest(ref, poolName, nodeNames));
    }
    refresh(poolName);
    record(
        "InstancesPruned",
        poolName,
        "terminated " + removed + " new instances that did not become Ready nodes");
  }

  /**
   * Drains a node and terminates its instance with a capacity decrement. Whatever stops it before
   * the instance is gone (a drain that does not finish, a call that fails) leaves the node
   * schedulable again.
   */
  private void removeNode(String poolName, String node, String instanceId) {
    ClusterState.Pool pool = state.pools.get(poolName);
    boolean terminated = false;
    NodeActivities.DrainResult drained;
    try {
      step("draining " + node);
      drained =
          draining().drain(new NodeActivities.DrainRequest(ref, node, DRAIN_TIMEOUT.toMillis()));
      if (!drained.drained()) {
        throw ApplicationFailure.newNonRetryableFailure(
            "node "
                + node
                + " could not be drained within "
                + Durations.format(DRAIN_TIMEOUT)
                + ": "
                + String.join(", ", drained.remaining())
                + (drained.blockedBy() == null ? "" : " (" + drained.blockedBy() + ")")
                + "; it stays in service",
            "DrainIncomplete");
      }
      step("terminating " + instanceId);
      cloud.terminateInstance(
          new CloudActivities.TerminateRequest(ref, pool.groupName(), instanceId, true));
      terminated = true;
    } finally {
      if (!terminated) {
        Workflow.newDetachedCancellationScope(() -> nodesCleanup.uncordon(ref, node)).run();
      }
    }
    nodes.deleteNodes(new NodeActivities.DeleteNodesRequest(ref, poolName, List.of(node)));
    chargeCost();
    refresh(poolName);
    record(
        "NodeRemoved",
        poolName,
        "removed node "
            + node
            + " ("
            + instanceId
            + "), drained of "
            + drained.evicted()
            + " pods");
  }

  private void checkBudget() {
    BudgetSpec budget = state.definition().spec().budget();
    if (budget == null) {
      return;
    }
    Map<String, CostMeter.Rate> rates = state.rates();
    double projected = state.cost.projectedMonthly(rates);
    Map<String, String> tags = Map.of("cluster", ref.key());
    Workflow.getMetricsScope()
        .tagged(tags)
        .gauge("capstan_cluster_projected_monthly_cost_dollars")
        .update(projected);
    for (BudgetWatch.Crossing crossing :
        state.budget.check(budget, state.cost.month(), projected)) {
      ClusterEvent alert = record("BudgetAlert", null, crossing.message());
      state.alert(alert);
      Workflow.getMetricsScope()
          .tagged(
              Map.of(
                  "cluster",
                  ref.key(),
                  "threshold_percent",
                  Integer.toString(crossing.alert().thresholdPercent())))
          .counter("capstan_cluster_budget_alerts")
          .inc(1);
      if (crossing.alert().webhook() != null) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cluster", ref.key());
        body.put("thresholdPercent", crossing.alert().thresholdPercent());
        body.put("projectedMonthly", Math.round(crossing.projected() * 100) / 100.0);
        body.put("monthlyLimit", crossing.limit());
        body.put("message", crossing.message());
        try {
          alerting.postWebhook(crossing.alert().webhook(), body);
        } catch (ActivityFailure failure) {
          record("WebhookFailed", null, "budget webhook failed: " + reason(failure));
        }
      }
    }
    String held =
        budget.onBudget() == OnBudget.PAUSE && BudgetWatch.overLimit(budget, projected)
            ? String.format(
                java.util.Locale.ROOT,
                "the month's projected cost $%.2f is over the $%.2f budget (onBudget: pause)",
                projected,
                budget.monthlyLimit().doubleValue())
            : null;
    if (held != null && state.scaleUpsHeld == null) {
      record("ScaleUpsPaused", null, "scale-ups paused: " + held);
    } else if (held == null && state.scaleUpsHeld != null) {
      record("ScaleUpsResumed", null, "scale-ups resumed: the projection is back under the budget");
    }
    state.scaleUpsHeld = held;
  }

  private void chargeCost() {
    state.cost.advance(now(), state.rates());
    for (Map.Entry<String, CostMeter.PoolCost> pool : state.cost.pools().entrySet()) {
      Workflow.getMetricsScope()
          .tagged(Map.of("cluster", ref.key(), "pool", pool.getKey()))
          .gauge("capstan_cluster_cost_dollars")
          .update(pool.getValue().dollars());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Updates

  @Override
  public ClusterUpdates.Result scale(ClusterUpdates.Scale request) {
    return operate(
        ClusterUpdates.SCALE,
        request.pool() + " to " + request.desired(),
        () -> {
          ClusterState.Pool pool = knownPool(request.pool());
          int min = request.min() == null ? pool.min() : request.min();
          int max = request.max() == null ? pool.max() : request.max();
          int from = pool.desired();
          checkBounds(request.pool(), min, request.desired(), max);
          Set<String> known = new TreeSet<>(pool.instances().keySet());
          if (request.desired() > from) {
            track(
                request.pool(),
                cloud.resize(
                    new CloudActivities.ResizeRequest(
                        ref, pool.groupName(), min, request.desired(), max)),
                List.of());
            state.pools.put(
                request.pool(),
                state.pools.get(request.pool()).withBounds(min, request.desired(), max));
            String problem =
                bringUp(
                    request.pool(),
                    request.desired(),
                    now() + state.definition().spec().readyTimeout().toMillis(),
                    known);
            if (problem != null) {
              record("ScaleIncomplete", request.pool(), problem);
              throw ApplicationFailure.newNonRetryableFailure(problem, "ScaleIncomplete");
            }
          } else if (request.desired() < from) {
            shrink(request.pool(), from - request.desired(), min, max);
          } else {
            track(
                request.pool(),
                cloud.resize(
                    new CloudActivities.ResizeRequest(ref, pool.groupName(), min, from, max)),
                List.of());
          }
          state.pools.put(
              request.pool(),
              state.pools.get(request.pool()).withBounds(min, request.desired(), max));
          chargeCost();
          String message =
              "scaled "
                  + request.pool()
                  + " from "
                  + from
                  + " to "
                  + request.desired()
                  + " (min "
                  + min
                  + ", max "
                  + max
                  + ")";
          record("Scaled", request.pool(), message);
          return message;
        });
  }

  /**
   * Removes {@code count} nodes of a pool: those not Ready first, then the newest; drained first.
   */
  private void shrink(String poolName, int count, int min, int max) {
    ClusterState.Pool pool = state.pools.get(poolName);
    // Lower the minimum first: the group refuses a decrement below it.
    cloud.resize(
        new CloudActivities.ResizeRequest(
            ref,
            pool.groupName(),
            Math.min(min, pool.desired() - count),
            pool.desired(),
            Math.max(max, pool.desired())));
    List<ClusterState.Instance> order = new ArrayList<>();
    pool.instances().values().stream().filter(i -> !i.ready()).forEach(order::add);
    List<ClusterState.Instance> ready =
        new ArrayList<>(
            pool.instances().values().stream().filter(ClusterState.Instance::ready).toList());
    Collections.reverse(ready);
    order.addAll(ready);
    for (ClusterState.Instance instance : order.subList(0, Math.min(count, order.size()))) {
      if (instance.node() != null) {
        removeNode(poolName, instance.node(), instance.instanceId());
      } else {
        cloud.terminateInstance(
            new CloudActivities.TerminateRequest(
                ref, pool.groupName(), instance.instanceId(), true));
        chargeCost();
        refresh(poolName);
      }
    }
    cloud.resize(
        new CloudActivities.ResizeRequest(ref, pool.groupName(), min, pool.desired() - count, max));
    refresh(poolName);
  }

  @Override
  public void validateScale(ClusterUpdates.Scale request) {
    requireOpen();
    if (request == null || request.pool() == null || request.desired() == null) {
      throw new IllegalArgumentException(
          "scale needs {pool, desired}: the pool to scale and its new size");
    }
    ClusterState.Pool pool = knownPool(request.pool());
    requireNotRolling(request.pool(), "scaled");
    int min = request.min() == null ? pool.min() : request.min();
    int max = request.max() == null ? pool.max() : request.max();
    checkBounds(request.pool(), min, request.desired(), max);
  }

  @Override
  public ClusterUpdates.Result addPool(ClusterUpdates.AddPool request) {
    NodePoolSpec spec = request.pool();
    return operate(
        ClusterUpdates.ADD_POOL,
        spec.name(),
        () -> {
          if (state.pools.containsKey(spec.name())) {
            throw ApplicationFailure.newNonRetryableFailure(
                "pool '" + spec.name() + "' exists already", "PoolExists");
          }
          List<Undo> undo = new ArrayList<>();
          String problem;
          try {
            problem =
                createPool(
                    spec,
                    undo,
                    now() + state.definition().spec().readyTimeout().toMillis(),
                    " for the added pool");
          } catch (ActivityFailure failure) {
            problem = "pool " + spec.name() + ": " + reason(failure);
          }
          if (problem != null) {
            List<String> removed = new ArrayList<>();
            String why = problem;
            Workflow.newDetachedCancellationScope(
                    () -> {
                      for (Undo step : undo) {
                        removed.addAll(dismantle(step.pool(), step.group()));
                      }
                      state.pools.remove(spec.name());
                    })
                .run();
            throw ApplicationFailure.newNonRetryableFailure(
                why + ". Removed: " + (removed.isEmpty() ? "nothing" : String.join(", ", removed)),
                "PoolCreationFailed");
          }
          chargeCost();
          String message = "added pool " + spec.name() + " with " + spec.desiredSize() + " nodes";
          record("PoolAdded", spec.name(), message);
          return message;
        });
  }

  @Override
  public void validateAddPool(ClusterUpdates.AddPool request) {
    requireOpen();
    NodePoolSpec spec = request == null ? null : request.pool();
    if (spec == null || spec.name() == null || spec.instanceType() == null) {
      throw new IllegalArgumentException(
          "addPool needs {pool: {name, instanceType, minSize, maxSize, ...}}, a node pool as in a"
              + " Cluster's spec.nodePools");
    }
    if (!DNS_LABEL.matcher(spec.name()).matches() || spec.name().length() > 40) {
      throw new IllegalArgumentException(
          "pool name '" + spec.name() + "' is not a DNS label of at most 40 characters");
    }
    if (state.pools.containsKey(spec.name())) {
      throw new IllegalArgumentException(
          "pool '" + spec.name() + "' exists already: scale it, or remove it first");
    }
    checkBounds(spec.name(), spec.minSize(), spec.desiredSize(), spec.maxSize());
  }

  @Override
  public ClusterUpdates.Result removePool(ClusterUpdates.RemovePool request) {
    return operate(
        ClusterUpdates.REMOVE_POOL,
        request.pool(),
        () -> {
          ClusterState.Pool pool = knownPool(request.pool());
          if (state.pools.size() == 1) {
            throw ApplicationFailure.newNonRetryableFailure(
                "pool '" + request.pool() + "' is the cluster's last: delete the cluster instead",
                "LastPool");
          }
          // Every node drains at once; a PodDisruptionBudget that holds past the timeout stops
          // the removal (the nodes stay in service) unless the request says force.
          step("draining the nodes of " + request.pool());
          List<String> names =
              pool.instances().values().stream()
                  .map(ClusterState.Instance::node)
                  .filter(n -> n != null)
                  .toList();
          List<Promise<NodeActivities.DrainResult>> drains = new ArrayList<>();
          for (String node : names) {
            drains.add(
                Async.function(
                    () ->
                        draining()
                            .drain(
                                new NodeActivities.DrainRequest(
                                    ref, node, DRAIN_TIMEOUT.toMillis()))));
          }
          List<String> undrained = new ArrayList<>();
          for (int n = 0; n < drains.size(); n++) {
            NodeActivities.DrainResult result = drains.get(n).get();
            if (!result.drained()) {
              undrained.add(
                  names.get(n)
                      + ": "
                      + String.join(", ", result.remaining())
                      + (result.blockedBy() == null ? "" : " (" + result.blockedBy() + ")"));
            }
          }
          if (!undrained.isEmpty() && !request.forced()) {
            for (String node : names) {
              nodes.uncordon(ref, node);
            }
            throw ApplicationFailure.newNonRetryableFailure(
                "pool "
                    + request.pool()
                    + " was not removed: pods could not be evicted within "
                    + Durations.format(DRAIN_TIMEOUT)
                    + " ("
                    + String.join("; ", undrained)
                    + "); its nodes stay in service. Send removePool with force: true to remove"
                    + " it anyway",
                "DrainIncomplete");
          }
          List<String> removed = dismantle(request.pool(), pool.groupName());
          state.pools.remove(request.pool());
          String message =
              "removed pool "
                  + request.pool()
                  + ": "
                  + String.join(", ", removed)
                  + (undrained.isEmpty()
                      ? ""
                      : "; forced: pods that could not be evicted in time went with their nodes: "
                          + String.join("; ", undrained));
          return message;
        });
  }

  @Override
  public void validateRemovePool(ClusterUpdates.RemovePool request) {
    requireOpen();
    if (request == null || request.pool() == null) {
      throw new IllegalArgumentException("removePool needs {pool}: the name of the pool to remove");
    }
    knownPool(request.pool());
    requireNotRolling(request.pool(), "removed");
    if (state.pools.size() == 1) {
      throw new IllegalArgumentException(
          "pool '" + request.pool() + "' is the cluster's last: delete the cluster instead");
    }
  }

  @Override
  public ClusterUpdates.Result setAutoscaling(ClusterUpdates.SetAutoscaling request) {
    return operate(
        ClusterUpdates.SET_AUTOSCALING,
        request.autoscaling().enabled() ? "enable" : "disable",
        () -> {
          state.autoscaling = request.autoscaling();
          AutoscalingSpec a = request.autoscaling();
          String message =
              a.enabled()
                  ? "autoscaling on: nodes "
                      + (a.minNodes() == null ? "-" : a.minNodes())
                      + ".."
                      + (a.maxNodes() == null ? "-" : a.maxNodes())
                      + ", cpu target "
                      + a.targetCpuUtilization()
                      + "%, gpu target "
                      + a.targetGpuUtilization()
                      + "%, scale-down delay "
                      + Durations.format(a.scaleDownDelay())
                  : "autoscaling off";
          record("AutoscalingChanged", null, message);
          return message;
        });
  }

  @Override
  public void validateSetAutoscaling(ClusterUpdates.SetAutoscaling request) {
    requireOpen();
    AutoscalingSpec a = request == null ? null : request.autoscaling();
    if (a == null) {
      throw new IllegalArgumentException(
          "setAutoscaling needs {autoscaling: {enabled, minNodes, maxNodes, targetCpuUtilization,"
              + " targetGpuUtilization, scaleDownDelay}}");
    }
    if (a.minNodes() != null && a.maxNodes() != null && a.minNodes() > a.maxNodes()) {
      throw new IllegalArgumentException(
          "minNodes " + a.minNodes() + " is more than maxNodes " + a.maxNodes());
    }
    for (int target : List.of(a.targetCpuUtilization(), a.targetGpuUtilization())) {
      if (target < 1 || target > 100) {
        throw new IllegalArgumentException(
            "a target utilization is a percentage from 1 to 100, not " + target);
      }
    }
    if (a.scaleDownDelay() == null
        || a.scaleDownDelay().isNegative()
        || a.scaleDownDelay().isZero()) {
      throw new IllegalArgumentException("scaleDownDelay must be positive, e.g. 10m");
    }
    int minSum = state.pools.values().stream().mapToInt(ClusterState.Pool::min).sum();
    if (a.maxNodes() != null && a.maxNodes() < minSum) {
      throw new IllegalArgumentException(
          "maxNodes " + a.maxNodes() + " is less than the pools' minSize sum " + minSum);
    }
  }

  @Override
  public ClusterUpdates.Result delete(ClusterUpdates.Delete request) {
    return operate(
        ClusterUpdates.DELETE,
        request == null || request.reason() == null ? "" : request.reason(),
        () -> {
          List<String> removed =
              removeEverything(
                  request == null || request.reason() == null
                      ? "deleted on request"
                      : request.reason());
          return "deleted cluster "
              + ref.key()
              + ": "
              + (removed.isEmpty() ? "nothing was left" : String.join(", ", removed));
        });
  }

  @Override
  public void validateDelete(ClusterUpdates.Delete request) {
    requireOpen();
    for (String pool : state.rollouts.keySet()) {
      requireNotRolling(pool, "deleted with its cluster");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rollouts: a RollingUpdate run takes a pool, rolls it, and gives it back

  @Override
  public void validateBeginRollout(ClusterUpdates.BeginRollout request) {
    requireOpen();
    if (state.phase == ClusterPhase.Creating) {
      throw new IllegalStateException(
          "cluster " + ref.key() + " is still being created: roll its pools once it is Ready");
    }
    if (request == null || request.rolloutId() == null || request.pool() == null) {
      throw new IllegalArgumentException("beginRollout needs {rolloutId, pool, version}");
    }
    knownPool(request.pool());
    String holder = state.rollouts.get(request.pool());
    if (holder != null && !holder.equals(request.rolloutId())) {
      throw new IllegalStateException(
          "pool "
              + request.pool()
              + " of cluster "
              + ref.key()
              + " is being rolled by "
              + holder
              + ": one rollout per pool at a time; wait for it to end, or abort it (`capstan"
              + " signal "
              + holder
              + " abort`)");
    }
  }

  @Override
  public ClusterUpdates.RolloutLease beginRollout(ClusterUpdates.BeginRollout request) {
    lock.lock();
    try {
      // An operation that ran while this waited may have changed what validation saw.
      validateBeginRollout(request);
      if (!request.rolloutId().equals(state.rollouts.get(request.pool()))) {
        state.rollouts.put(request.pool(), request.rolloutId());
        record(
            "RolloutStarted",
            request.pool(),
            "rollout "
                + request.rolloutId()
                + " took pool "
                + request.pool()
                + " to roll it to launch template version "
                + request.version()
                + "; its autoscaler waits until the rollout ends");
      }
      refresh(request.pool());
      ClusterState.Pool pool = state.pools.get(request.pool());
      return new ClusterUpdates.RolloutLease(
          ref,
          pool.spec(),
          pool.groupName(),
          pool.min(),
          pool.desired(),
          pool.max(),
          pool.spec().launchTemplate() == null
              ? LaunchTemplateRef.DEFAULT_VERSION
              : pool.spec().launchTemplate().version(),
          state.definition().spec().readyTimeout(),
          List.copyOf(pool.instances().values()));
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ClusterUpdates.Result endRollout(ClusterUpdates.EndRollout request) {
    lock.lock();
    try {
      if (request == null
          || request.pool() == null
          || request.rolloutId() == null
          || !request.rolloutId().equals(state.rollouts.get(request.pool()))) {
        return new ClusterUpdates.Result(
            ClusterUpdates.END_ROLLOUT, "no rollout of that id holds the pool", state.phase);
      }
      finishRollout(request.pool(), request.version(), request.outcome());
      return new ClusterUpdates.Result(
          ClusterUpdates.END_ROLLOUT, "pool " + request.pool() + " given back", state.phase);
    } finally {
      lock.unlock();
    }
  }

  private void finishRollout(String poolName, String version, String outcome) {
    String rollout = state.rollouts.remove(poolName);
    ClusterState.Pool pool = state.pools.get(poolName);
    if (pool != null && version != null) {
      NodePoolSpec spec = pool.spec();
      String template = spec.launchTemplate() == null ? null : spec.launchTemplate().name();
      NodePoolSpec rolled =
          new NodePoolSpec(
              spec.name(),
              spec.instanceType(),
              new LaunchTemplateRef(template, version),
              spec.minSize(),
              spec.desiredSize(),
              spec.maxSize(),
              spec.labels(),
              spec.taints(),
              spec.spot(),
              spec.gpu(),
              spec.zones(),
              spec.simulate());
      state.pools.put(
          poolName,
          new ClusterState.Pool(
              rolled,
              pool.groupName(),
              pool.min(),
              pool.desired(),
              pool.max(),
              pool.type(),
              pool.instances()));
    }
    record(
        "RolloutEnded",
        poolName,
        "rollout " + rollout + " gave pool " + poolName + " back: " + outcome);
    if (pool != null) {
      try {
        // The rolled pool's instances are new: read their nodes too, or the status would show
        // instances without nodes until the next round observes them.
        GroupState group = cloud.describe(new CloudActivities.GroupRequest(ref, pool.groupName()));
        List<String> providerIds =
            group == null
                ? List.of()
                : group.instances().stream()
                    .filter(CloudInstance::inService)
                    .map(CloudInstance::providerId)
                    .toList();
        List<NodeView> found =
            providerIds.isEmpty()
                ? List.of()
                : nodes.awaitNodes(
                    new NodeActivities.AwaitNodesRequest(ref, poolName, providerIds, now()));
        track(poolName, group, found);
      } catch (ActivityFailure failure) {
        record(
            "RefreshFailed",
            poolName,
            "could not read pool " + poolName + " after its rollout: " + reason(failure));
      }
    }
  }

  /**
   * Gives back the pools of rollouts whose runs ended without saying so (terminated): a held
   * autoscaler must not stay held by a run that is gone.
   */
  private void releaseEndedRollouts() {
    for (Map.Entry<String, String> held : new ArrayList<>(state.rollouts.entrySet())) {
      if (!rolloutRuns.running(held.getValue())) {
        finishRollout(
            held.getKey(),
            null,
            "its run " + held.getValue() + " ended without giving the pool back (terminated?)");
      }
    }
  }

  private void requireNotRolling(String pool, String what) {
    String holder = state.rollouts.get(pool);
    if (holder != null) {
      throw new IllegalStateException(
          "pool "
              + pool
              + " cannot be "
              + what
              + " while rollout "
              + holder
              + " rolls it: wait for the rollout to end, or abort it (`capstan signal "
              + holder
              + " abort`)");
    }
  }

  private List<String> removeEverything(String why) {
    state.phase = ClusterPhase.Deleting;
    record("Deleting", null, "deleting the cluster: " + why);
    List<ClusterState.Pool> pools = new ArrayList<>(state.pools.values());
    Collections.reverse(pools);
    List<Promise<List<String>>> removals = new ArrayList<>();
    for (ClusterState.Pool pool : pools) {
      removals.add(Async.function(() -> dismantle(pool.spec().name(), pool.groupName())));
    }
    List<String> removed = new ArrayList<>();
    List<String> left = new ArrayList<>();
    for (int p = 0; p < removals.size(); p++) {
      try {
        removed.addAll(removals.get(p).get());
      } catch (ActivityFailure | ApplicationFailure failure) {
        left.add("pool " + pools.get(p).spec().name() + ": " + reason(failure));
      }
    }
    chargeCost();
    if (!left.isEmpty()) {
      // Not deleted: the cluster stays an entity that takes delete again, and says what is left.
      state.phase = ClusterPhase.Ready;
      String message =
          "the deletion did not finish (send delete again): "
              + String.join("; ", left)
              + (removed.isEmpty() ? "" : "; removed so far: " + String.join(", ", removed));
      record("DeleteIncomplete", null, message);
      throw ApplicationFailure.newNonRetryableFailure(message, "DeleteIncomplete");
    }
    state.phase = ClusterPhase.Deleted;
    record(
        "Deleted",
        null,
        "cluster deleted: "
            + (removed.isEmpty() ? "nothing was left" : String.join(", ", removed)));
    deleted = true;
    return removed;
  }

  /**
   * Runs an operation after those before it (the workflow lock), as Updating, and answers what it
   * did; a failure fails the Update and leaves the cluster Ready.
   */
  private ClusterUpdates.Result operate(String name, String detail, Supplier<String> body) {
    queued.add(name + (detail.isEmpty() ? "" : " " + detail));
    lock.lock();
    queued.remove(name + (detail.isEmpty() ? "" : " " + detail));
    try {
      if (deleted || state.phase == ClusterPhase.Deleting) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the cluster was deleted before " + name + " could run", "ClusterDeleted");
      }
      if (state.phase == ClusterPhase.Failed) {
        throw ApplicationFailure.newNonRetryableFailure(
            "the cluster failed to create: " + state.failure, "ClusterFailed");
      }
      operation =
          new ClusterStatus.Operation(
              name + (detail.isEmpty() ? "" : " " + detail), iso(now()), null);
      if (state.phase == ClusterPhase.Ready) {
        state.phase = ClusterPhase.Updating;
      }
      String message;
      try {
        message = body.get();
      } catch (ActivityFailure failure) {
        String why = name + " failed: " + reason(failure);
        record("OperationFailed", null, why);
        throw ApplicationFailure.newNonRetryableFailure(why, "OperationFailed");
      } catch (ApplicationFailure failure) {
        record("OperationFailed", null, name + " failed: " + failure.getOriginalMessage());
        throw failure;
      } catch (IllegalArgumentException | IllegalStateException refused) {
        // The cluster changed between validation and the operation's turn (another operation ran
        // first): the Update fails with the reason, and the workflow task does not.
        record("OperationFailed", null, name + " refused: " + refused.getMessage());
        throw ApplicationFailure.newNonRetryableFailure(refused.getMessage(), "OperationRefused");
      }
      checkBudget();
      return new ClusterUpdates.Result(
          name, message, state.phase == ClusterPhase.Updating ? ClusterPhase.Ready : state.phase);
    } finally {
      operation = null;
      if (state.phase == ClusterPhase.Updating) {
        state.phase = ClusterPhase.Ready;
      }
      lock.unlock();
    }
  }

  private void requireOpen() {
    if (state == null) {
      throw new IllegalStateException("the cluster is starting: try again in a moment");
    }
    switch (state.phase) {
      case Deleting, Deleted ->
          throw new IllegalStateException(
              "the cluster is " + state.phase.name().toLowerCase(Locale.ROOT));
      case Failed ->
          throw new IllegalStateException("the cluster failed to create: " + state.failure);
      default -> {}
    }
  }

  private ClusterState.Pool knownPool(String name) {
    ClusterState.Pool pool = state.pools.get(name);
    if (pool == null) {
      throw new IllegalArgumentException(
          "unknown pool '"
              + name
              + "': the cluster has "
              + String.join(", ", state.pools.keySet()));
    }
    return pool;
  }

  private static void checkBounds(String pool, int min, int desired, int max) {
    if (min < 0) {
      throw new IllegalArgumentException("pool " + pool + ": min " + min + " is negative");
    }
    if (max < 1 || max > 1000) {
      throw new IllegalArgumentException("pool " + pool + ": max " + max + " is outside 1..1000");
    }
    if (min > max) {
      throw new IllegalArgumentException(
          "pool " + pool + ": min " + min + " is more than max " + max);
    }
    if (desired < min || desired > max) {
      throw new IllegalArgumentException(
          "pool " + pool + ": desired " + desired + " is outside min " + min + " .. max " + max);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Bookkeeping

  @Override
  public ClusterStatus status() {
    if (state == null) {
      return null;
    }
    return state.status(operation, List.copyOf(queued), now());
  }

  /** Records the group's instances and what is known of their nodes in the pool's state. */
  private void track(String poolName, GroupState group, List<NodeView> found) {
    ClusterState.Pool pool = state.pools.get(poolName);
    if (pool == null || group == null) {
      return;
    }
    chargeCost();
    Map<String, NodeView> byInstance = new HashMap<>();
    found.forEach(node -> byInstance.put(node.instanceId(), node));
    Map<String, ClusterState.Instance> instances = new LinkedHashMap<>();
    for (CloudInstance instance : group.instances()) {
      if ("Terminating".equals(instance.lifecycleState())
          || "Terminated".equals(instance.lifecycleState())) {
        continue;
      }
      ClusterState.Instance was = pool.instances().get(instance.instanceId());
      NodeView node = byInstance.get(instance.instanceId());
      instances.put(
          instance.instanceId(),
          new ClusterState.Instance(
              instance.instanceId(),
              instance.zone(),
              node != null ? node.name() : was == null ? null : was.node(),
              node != null ? node.ready() : was != null && was.ready(),
              instance.launchTemplateVersion()));
    }
    state.pools.put(
        poolName,
        pool.withInstances(instances)
            .withBounds(group.minSize(), group.desiredCapacity(), group.maxSize()));
  }

  private void refresh(String poolName) {
    ClusterState.Pool pool = state.pools.get(poolName);
    track(
        poolName,
        cloud.describe(new CloudActivities.GroupRequest(ref, pool.groupName())),
        List.of());
  }

  private ClusterEvent record(String type, String pool, String message) {
    LOG.info("cluster {}: {}", ref.key(), message);
    return state.record(now(), type, pool, message);
  }

  private void step(String step) {
    if (operation != null) {
      operation = new ClusterStatus.Operation(operation.name(), operation.since(), step);
    }
  }

  /**
   * A stub of the cluster's calls that may wait until {@code deadline} (workflow time),
   * heartbeating: a cluster's creation and a rollout's surge wait with it.
   */
  public static <T> T awaiting(Class<T> activities, long deadline) {
    long remaining = Math.max(0, deadline - now());
    return Workflow.newActivityStub(
        activities,
        ActivityOptions.newBuilder(CALLS)
            .setStartToCloseTimeout(Duration.ofMillis(remaining).plusMinutes(1))
            .setHeartbeatTimeout(Duration.ofSeconds(15))
            .build());
  }

  private NodeActivities draining() {
    return Workflow.newActivityStub(
        NodeActivities.class,
        ActivityOptions.newBuilder(CALLS)
            .setStartToCloseTimeout(DRAIN_TIMEOUT.plusMinutes(1))
            .setHeartbeatTimeout(Duration.ofSeconds(15))
            .build());
  }

  /** Whether a pool stopped only because another one failed first. */
  private static boolean canceled(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof CanceledFailure) {
        return true;
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  /** The message a person needs from a failure: the innermost one's own. */
  public static String reason(Throwable failure) {
    String message = failure.getMessage();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof TemporalFailure temporal
          && temporal.getOriginalMessage() != null
          && !temporal.getOriginalMessage().isBlank()) {
        message = temporal.getOriginalMessage();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return message;
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }

  private static String iso(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }
}
