package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.time.Duration;
import java.util.List;

/**
 * How a pool's nodes behave in a {@code simulated} cluster, to rehearse failures: each instance
 * boots after {@code bootDelay} and its node is Ready {@code readyDelay} later; {@code neverBoot}
 * and {@code neverReady} make them hang at that step until the cluster's readyTimeout; the zones in
 * {@code zonesOutOfCapacity} refuse to launch instances, as AWS does when it has none to give.
 */
// A flag left out is false: the parser's mapper fails on a missing primitive otherwise.
public record PoolSimulation(
    Duration bootDelay,
    Duration readyDelay,
    @JsonSetter(nulls = Nulls.AS_EMPTY) boolean neverBoot,
    @JsonSetter(nulls = Nulls.AS_EMPTY) boolean neverReady,
    List<String> zonesOutOfCapacity) {
  /** Nodes that boot and become Ready at once, everywhere. */
  public static final PoolSimulation IMMEDIATE = new PoolSimulation(null, null, false, false, null);

  public PoolSimulation {
    bootDelay = bootDelay == null ? Duration.ZERO : bootDelay;
    readyDelay = readyDelay == null ? Duration.ZERO : readyDelay;
    zonesOutOfCapacity = zonesOutOfCapacity == null ? List.of() : List.copyOf(zonesOutOfCapacity);
  }
}
