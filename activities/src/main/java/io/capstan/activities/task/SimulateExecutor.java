package io.capstan.activities.task;

import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.Activity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Runs a {@code simulate} task: it works for the spec's duration in heartbeat-sized steps, then
 * fails or succeeds as the spec says. Failures are reproducible: an attempt's fate depends only on
 * the seed and the attempt number, so a rerun of the same definition fails the same attempts.
 */
final class SimulateExecutor {
  private final TaskClock clock;
  private final Duration step;
  private final Outputs outputs;

  SimulateExecutor(TaskClock clock, Duration step, Outputs outputs) {
    this.clock = clock;
    this.step = step;
    this.outputs = outputs;
  }

  TaskOutcome run(SimulateSpec spec, Attempt attempt) {
    return run(spec, null, attempt);
  }

  /**
   * Runs {@code unrendered} after rendering its templates with {@code inputs} (null: already
   * rendered), fetching the stored outputs its {@code output} names; an output too large for
   * history goes to the store, as a real executor's does.
   */
  TaskOutcome run(SimulateSpec unrendered, TaskInputs inputs, Attempt attempt) {
    SimulateSpec spec =
        outputs.render(
            unrendered, unrendered::render, inputs, Outputs.MAX_OUTPUT_BYTES, "an output", attempt);
    work(spec.duration(), attempt);
    if (attempt.number() <= spec.failAttempts()) {
      throw attempt.retryable(
          TaskFailures.SIMULATED,
          "simulated failure: attempt "
              + attempt.number()
              + " of the first "
              + spec.failAttempts()
              + " that fail (failAttempts)",
          null);
    }
    if (spec.failureRate() > 0) {
      long seed = spec.seed() != null ? spec.seed() : seedOf(attempt);
      double draw = draw(seed, attempt.number());
      if (draw < spec.failureRate()) {
        throw attempt.retryable(
            TaskFailures.SIMULATED,
            String.format(
                Locale.ROOT,
                "simulated failure: attempt %d drew %.3f, below failureRate %s",
                attempt.number(),
                draw,
                spec.failureRate()),
            null);
      }
    }
    return outputs.succeed(spec.output(), attempt, null);
  }

  /**
   * Sleeps out {@code duration}, heartbeating before every step so a cancellation or a worker
   * shutdown stops the attempt within one step. The heartbeat's exception is left to propagate:
   * Temporal needs to see it to record the attempt as canceled.
   */
  private void work(Duration duration, Attempt attempt) {
    if (duration.isZero() || duration.isNegative()) {
      return;
    }
    long total = saturatedNanos(duration);
    long start = clock.nanoTime();
    try {
      while (true) {
        long elapsed = clock.nanoTime() - start;
        long remaining = total - elapsed;
        if (remaining <= 0) {
          return;
        }
        attempt.heartbeat().beat(elapsed / 1_000_000);
        clock.sleep(Duration.ofNanos(Math.min(step.toNanos(), remaining)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    }
  }

  /**
   * A uniform number in [0, 1) fixed by {@code seed} and {@code attempt}. SplittableRandom mixes
   * its seed, so neighbouring seeds and attempts still give independent-looking draws.
   */
  static double draw(long seed, int attempt) {
    return new SplittableRandom(seed ^ (attempt * 0x9E3779B97F4A7C15L)).nextDouble();
  }

  /** Without an explicit seed, the run and task name one: reruns of a run fail the same way. */
  static long seedOf(Attempt attempt) {
    String key = attempt.context().runId() + "/" + attempt.context().task();
    long hash = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x100000001b3L;
    }
    return hash;
  }

  private static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}
