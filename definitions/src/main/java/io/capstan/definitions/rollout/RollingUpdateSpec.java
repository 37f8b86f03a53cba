package io.capstan.definitions.rollout;

import io.capstan.definitions.cluster.LaunchTemplateRef;
import java.time.Duration;
import java.util.List;

/**
 * One node pool of a cluster rolled, batch by batch, onto a new launch template version: new nodes
 * surged and made Ready, old ones cordoned, drained through the eviction API and terminated.
 *
 * @param cluster the cluster's name, in the document's namespace
 * @param nodePool the pool of that cluster to roll
 * @param launchTemplate the version to roll onto; its name is the pool's template (null or equal)
 * @param strategy never null: {@link RolloutStrategy#defaults()} unless said
 * @param checkpoints in increasing percent; never null (empty for none)
 * @param soak how long to wait after each batch's new nodes are Ready; default 0
 * @param window when batches may start; null for any time
 * @param onFailure never null: {@link RolloutOnFailure#PAUSE} unless said
 */
public record RollingUpdateSpec(
    String cluster,
    String nodePool,
    LaunchTemplateRef launchTemplate,
    RolloutStrategy strategy,
    List<Checkpoint> checkpoints,
    Duration soak,
    RolloutWindow window,
    RolloutOnFailure onFailure) {
  public RollingUpdateSpec {
    strategy = strategy == null ? RolloutStrategy.defaults() : strategy;
    checkpoints = checkpoints == null ? List.of() : List.copyOf(checkpoints);
    soak = soak == null ? Duration.ZERO : soak;
    onFailure = onFailure == null ? RolloutOnFailure.PAUSE : onFailure;
  }
}
