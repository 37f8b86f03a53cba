package io.capstan.workflows.rollout;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * One pool of a cluster rolled onto a new launch template version, batch by batch: surge new nodes
 * and wait until they are Ready (and burned in, for GPU pools), cordon old ones, drain them through
 * the eviction API, terminate their instances. It takes the pool from its cluster's entity for its
 * whole life, so the pool's autoscaler waits and nothing else scales it.
 *
 * <p>Operators steer it with signals: {@code pause}, {@code resume}, {@code abort}, {@code
 * rollback}; a drain past its timeout waits for {@code wait}, {@code skip} or {@code force} (each
 * takes {@code {"node": NAME}}, or nothing for every blocked node). The Update {@code setStrategy}
 * changes maxSurge/maxUnavailable for the batches still to come.
 */
@WorkflowInterface
public interface RollingUpdateWorkflow {
  String TYPE = "RollingUpdate";

  String PAUSE = "pause";
  String RESUME = "resume";
  String ABORT = "abort";
  String ROLLBACK = "rollback";
  String WAIT = "wait";
  String SKIP = "skip";
  String FORCE = "force";
  String SET_STRATEGY = "setStrategy";

  List<String> SIGNALS = List.of(PAUSE, RESUME, ABORT, ROLLBACK, WAIT, SKIP, FORCE);

  @WorkflowMethod(name = TYPE)
  RolloutStatus run(RolloutInput input);

  @QueryMethod(name = RolloutStatus.QUERY)
  RolloutStatus status();

  /** Stops before the next step that changes the pool; drains under way finish. */
  @SignalMethod(name = PAUSE)
  void pause(String reason);

  @SignalMethod(name = RESUME)
  void resume();

  /**
   * Stops where it is: cordoned nodes not yet terminated are made schedulable again, the group
   * launches the version it launched before, and the run fails saying what it left.
   */
  @SignalMethod(name = ABORT)
  void abort(String reason);

  /** Puts the pool back: the previous version, and the nodes already rolled replaced. */
  @SignalMethod(name = ROLLBACK)
  void rollback(String reason);

  /** A blocked drain waits longer: {@code duration} (default the drainTimeout) more. */
  @SignalMethod(name = WAIT)
  void waitLonger(DrainAnswer answer);

  /** A blocked node is left out: made schedulable again and kept on its version. */
  @SignalMethod(name = SKIP)
  void skip(DrainAnswer answer);

  /**
   * A blocked drain deletes its blocking pods with their grace period; only when the strategy says
   * {@code force: true}.
   */
  @SignalMethod(name = FORCE)
  void force(DrainAnswer answer);

  @UpdateMethod(name = SET_STRATEGY)
  RolloutStatus setStrategy(SetStrategy request);

  @UpdateValidatorMethod(updateName = SET_STRATEGY)
  void validateSetStrategy(SetStrategy request);

  /**
   * An operator's answer to a blocked drain.
   *
   * @param node the node it is for; null for every blocked node
   * @param duration for {@code wait}: how much longer, e.g. {@code 30m}; null for the drainTimeout
   */
  record DrainAnswer(String node, String duration) {}

  /** New surge and unavailability for the batches still to come; a null field keeps its value. */
  record SetStrategy(String maxSurge, String maxUnavailable) {}
}
