package io.capstan.workflows.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.Taint;
import io.capstan.definitions.cluster.TaintEffect;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The autoscaling policy")
class AutoscalerTest {
  static final AutoscalingSpec SPEC =
      new AutoscalingSpec(true, null, 20, 50, 50, Duration.ofMinutes(10));
  static final Autoscaler.PoolShape GENERAL =
      new Autoscaler.PoolShape(
          "general", 1, 10, 2, Map.of("tier", "standard"), List.of(), 2000, 0, 0.096);
  static final Autoscaler.PoolShape GPU =
      new Autoscaler.PoolShape(
          "gpu",
          0,
          4,
          1,
          Map.of(),
          List.of(new Taint("nvidia.com/gpu", "present", TaintEffect.NO_SCHEDULE)),
          96_000,
          8,
          32.77);

  static ClusterLoad.NodeLoad node(
      String name, String pool, long cpu, int gpus, long requestedCpu, int requestedGpus) {
    return new ClusterLoad.NodeLoad(
        name,
        pool,
        "i-" + name,
        true,
        true,
        cpu,
        gpus,
        requestedCpu,
        requestedGpus,
        requestedCpu > 0 ? 1 : 0);
  }

  static ClusterLoad.PendingPod pod(String name, long cpu, int gpus, boolean toleratesGpu) {
    return new ClusterLoad.PendingPod(
        "default",
        name,
        cpu,
        gpus,
        Map.of(),
        toleratesGpu
            ? List.of(new ClusterLoad.Toleration("nvidia.com/gpu", "Exists", null, null))
            : List.of());
  }

  @Test
  @DisplayName(
      "sends a GPU pod to the pool whose taint it tolerates, and a CPU pod to a pool without GPUs")
  void placesPendingPods() {
    ClusterLoad load =
        new ClusterLoad(
            List.of(
                node("a", "general", 2000, 0, 1900, 0),
                node("b", "general", 2000, 0, 1900, 0),
                node("g", "gpu", 96_000, 8, 0, 8)),
            List.of(pod("train", 1000, 8, true), pod("web", 1500, 0, true)));

    List<Autoscaler.Decision> decisions =
        new Autoscaler().decide(SPEC, List.of(GENERAL, GPU), load, 0, null);

    assertThat(decisions)
        .extracting(Autoscaler.Decision::pool, Autoscaler.Decision::to)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("general", 4),
            org.assertj.core.groups.Tuple.tuple("gpu", 2));
  }

  @Test
  @DisplayName("says why when a pending pod fits no pool")
  void holdsForAPodNoPoolFits() {
    ClusterLoad load = new ClusterLoad(List.of(), List.of(pod("huge", 500_000, 0, false)));

    List<Autoscaler.Decision> decisions =
        new Autoscaler().decide(SPEC, List.of(GENERAL, GPU), load, 0, null);

    assertThat(decisions)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Autoscaler.Action.HOLD);
              assertThat(d.reason())
                  .contains("pod default/huge (cpu 500000m, gpu 0) fits no node pool");
            });
  }

  @Test
  @DisplayName("holds scale-ups with the reason when the budget pauses them")
  void holdsWhenPaused() {
    ClusterLoad load =
        new ClusterLoad(
            List.of(node("g", "gpu", 96_000, 8, 0, 8)), List.of(pod("train", 1000, 8, true)));

    List<Autoscaler.Decision> decisions =
        new Autoscaler().decide(SPEC, List.of(GPU), load, 0, "budget over");

    assertThat(decisions)
        .singleElement()
        .satisfies(
            d -> assertThat(d.reason()).startsWith("scale-up of gpu to 2 held: budget over"));
  }

  @Test
  @DisplayName(
      "removes a node only after it stayed unneeded for the delay, and never below the minimum")
  void scalesDownAfterTheDelay() {
    Autoscaler autoscaler = new Autoscaler();
    ClusterLoad idle =
        new ClusterLoad(
            List.of(node("a", "general", 2000, 0, 100, 0), node("b", "general", 2000, 0, 0, 0)),
            List.of());
    long delay = Duration.ofMinutes(10).toMillis();

    assertThat(autoscaler.decide(SPEC, List.of(GENERAL), idle, delay, null)).isEmpty();
    assertThat(autoscaler.decide(SPEC, List.of(GENERAL), idle, 2 * delay - 1, null)).isEmpty();
    List<Autoscaler.Decision> later =
        autoscaler.decide(SPEC, List.of(GENERAL), idle, 2 * delay, null);

    assertThat(later)
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.action()).isEqualTo(Autoscaler.Action.REMOVE_NODE);
              assertThat(d.to()).isEqualTo(1);
            });
    Autoscaler.PoolShape atMin =
        new Autoscaler.PoolShape("general", 1, 10, 1, Map.of(), List.of(), 2000, 0, 0.096);
    ClusterLoad one = new ClusterLoad(List.of(node("a", "general", 2000, 0, 0, 0)), List.of());
    assertThat(autoscaler.decide(SPEC, List.of(atMin), one, 5 * delay, null)).isEmpty();
  }

  @Test
  @DisplayName("does not remove a node whose going would push the pool over the target")
  void keepsNodesThatWouldOverloadThePool() {
    Autoscaler autoscaler = new Autoscaler();
    ClusterLoad busy =
        new ClusterLoad(
            List.of(node("a", "general", 2000, 0, 900, 0), node("b", "general", 2000, 0, 900, 0)),
            List.of());

    assertThat(autoscaler.decide(SPEC, List.of(GENERAL), busy, 0, null)).isEmpty();
    assertThat(
            autoscaler.decide(SPEC, List.of(GENERAL), busy, Duration.ofHours(1).toMillis(), null))
        .isEmpty();
  }

  @Test
  @DisplayName("waits the delay after a scale-up before any scale-down")
  void noScaleDownRightAfterAScaleUp() {
    Autoscaler autoscaler = new Autoscaler();
    long delay = Duration.ofMinutes(10).toMillis();
    ClusterLoad idle =
        new ClusterLoad(
            List.of(node("a", "general", 2000, 0, 0, 0), node("b", "general", 2000, 0, 0, 0)),
            List.of());
    autoscaler.decide(SPEC, List.of(GENERAL), idle, 0, null);
    autoscaler.scaledUp(delay);

    assertThat(autoscaler.decide(SPEC, List.of(GENERAL), idle, 2 * delay - 1, null)).isEmpty();
    assertThat(autoscaler.decide(SPEC, List.of(GENERAL), idle, 3 * delay, null)).hasSize(1);
  }

  @Test
  @DisplayName(
      "sizes a pool to its target against what its Ready nodes allocate, and counts nodes that"
          + " are coming")
  void utilizationAgainstAllocatable() {
    Autoscaler.PoolShape xlarge =
        new Autoscaler.PoolShape("general", 1, 10, 3, Map.of(), List.of(), 4000, 0, 0.192);
    ClusterLoad busy =
        new ClusterLoad(
            List.of(
                node("a", "general", 3920, 0, 2000, 0),
                node("b", "general", 3920, 0, 2000, 0),
                node("c", "general", 3920, 0, 2000, 0)),
            List.of());

    assertThat(new Autoscaler().decide(SPEC, List.of(xlarge), busy, 0, null))
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.to()).isEqualTo(4);
              assertThat(d.reason())
                  .isEqualTo("cpu requests at 51% of capacity, above the 50% target");
            });
    Autoscaler.PoolShape growing =
        new Autoscaler.PoolShape("general", 1, 10, 4, Map.of(), List.of(), 4000, 0, 0.192);
    assertThat(new Autoscaler().decide(SPEC, List.of(growing), busy, 0, null)).isEmpty();
  }

  @Test
  @DisplayName("removes idle nodes even while a paused budget holds the scale-ups")
  void scalesDownWhileHeld() {
    Autoscaler autoscaler = new Autoscaler();
    ClusterLoad load =
        new ClusterLoad(
            List.of(
                node("a", "general", 2000, 0, 0, 0),
                node("b", "general", 2000, 0, 0, 0),
                node("g", "gpu", 96_000, 8, 0, 8)),
            List.of(pod("train", 1000, 8, true)));
    long delay = Duration.ofMinutes(10).toMillis();
    autoscaler.decide(SPEC, List.of(GENERAL, GPU), load, 0, "budget over");

    assertThat(autoscaler.decide(SPEC, List.of(GENERAL, GPU), load, delay, "budget over"))
        .extracting(Autoscaler.Decision::action)
        .containsExactlyInAnyOrder(Autoscaler.Action.HOLD, Autoscaler.Action.REMOVE_NODE);
  }
}
