package io.capstan.definitions.executor;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A simulated unit of work: it runs for {@code duration}, fails its first {@code failAttempts}
 * attempts, fails any other attempt with probability {@code failureRate} (seeded by {@code seed}
 * and the attempt number, so runs are reproducible), and otherwise yields {@code output}.
 */
public record SimulateSpec(
    Duration duration, String output, Integer failAttempts, Double failureRate, Long seed) {
  public SimulateSpec {
    duration = duration == null ? Duration.ZERO : duration;
    output = output == null ? "" : output;
    failAttempts = failAttempts == null ? 0 : failAttempts;
    failureRate = failureRate == null ? 0.0 : failureRate;
  }

  /** This spec with {@code render} applied to every templated field. */
  public SimulateSpec render(UnaryOperator<String> render) {
    return new SimulateSpec(duration, render.apply(output), failAttempts, failureRate, seed);
  }
}
