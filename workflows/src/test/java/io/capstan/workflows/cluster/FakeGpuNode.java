package io.capstan.workflows.cluster;

import io.capstan.workflows.gpu.GpuActivities;
import java.util.List;
import java.util.function.Predicate;

/**
 * The GPU worker of one node, as a GPU agent DaemonSet would run on it: every burn-in passes unless
 * {@code bad} says the node is bad, and then its second window is too slow.
 */
public final class FakeGpuNode implements GpuActivities {
  private final String node;
  private final Predicate<String> bad;

  public FakeGpuNode(String node, Predicate<String> bad) {
    this.node = node;
    this.bad = bad;
  }

  @Override
  public GpuInventory inventory() {
    return new GpuInventory(node, List.of());
  }

  @Override
  public BurnInResult burnIn(BurnInRequest request) {
    boolean failing = bad.test(node);
    return new BurnInResult(
        node,
        List.of(
            new DeviceBurnIn(
                0,
                !failing,
                List.of(989.0, failing ? 700.0 : 988.0),
                failing
                    ? "window 2: 700.0 TFLOPS is below 0.95 × the first window's 989.0"
                    : null)));
  }

  @Override
  public BandwidthResult bandwidth(BandwidthRequest request) {
    return new BandwidthResult(node, List.of());
  }
}
