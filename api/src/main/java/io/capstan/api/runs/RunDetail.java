package io.capstan.api.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.rollout.RolloutStatus;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.TaskState;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run in full: Temporal's view of the execution merged with the run's own {@code status} query.
 *
 * @param phase the run's own phase (shows {@code PAUSED}); null when its state is unavailable
 * @param progress null when the run's state is unavailable
 * @param tasks by task name, in definition order
 * @param error why a closed run failed, timed out or was terminated
 * @param warning why part of the answer is missing, such as a query that timed out
 * @param view the run's own status record, for a kind whose status is not the task-centric one
 *     ({@code phase}, {@code progress} and {@code tasks} show that); absent for pipelines and jobs
 * @param cluster a Cluster run's cluster: phase, pools with their nodes, the operation in progress,
 *     cost and events (the run stays RUNNING for the cluster's life; the phase tells its state)
 * @param rollout a RollingUpdate run's rollout: phase, batch, each node's phase and version, what a
 *     blocked drain waits for
 * @param taskPage where {@code tasks} is in the run's tasks, when it holds only some of them
 *     ({@code ?taskOffset=&taskLimit=} pages on); absent when it holds them all
 * @param segments where each segment of a run cut into segments stands (a pipeline of more than
 *     1,000 tasks); absent otherwise. Such a run lists its tasks segment by segment
 */
public record RunDetail(
    String id,
    String kind,
    String name,
    String namespace,
    RunStatus status,
    RunPhase phase,
    Instant startedAt,
    Instant closedAt,
    Progress progress,
    Map<String, TaskState> tasks,
    @JsonInclude(JsonInclude.Include.NON_NULL) String error,
    @JsonInclude(JsonInclude.Include.NON_NULL) String warning,
    @JsonInclude(JsonInclude.Include.NON_NULL) Object view,
    @JsonInclude(JsonInclude.Include.NON_NULL) ClusterStatus cluster,
    @JsonInclude(JsonInclude.Include.NON_NULL) RolloutStatus rollout,
    @JsonInclude(JsonInclude.Include.NON_NULL) TaskPage taskPage,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<SegmentView> segments,
    RunLinks links) {}
