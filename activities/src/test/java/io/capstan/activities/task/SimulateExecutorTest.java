package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class SimulateExecutorTest {
  private final FakeClock clock = new FakeClock();
  private final SimulateExecutor executor =
      new SimulateExecutor(clock, Duration.ofMillis(200), TestOutputs.temporary());
  private final List<Object> beats = new ArrayList<>();

  private Attempt attempt(int number) {
    return attempt("run-1", "extract", RetrySpec.DEFAULT, number);
  }

  private Attempt attempt(String run, String task, RetrySpec retry, int number) {
    return new Attempt(new TaskContext(run, task, retry, "team-a"), number, "host-a", beats::add);
  }

  private static SimulateSpec spec(
      Duration duration, String output, int failAttempts, double rate, Long seed) {
    return new SimulateSpec(duration, output, failAttempts, rate, seed);
  }

  @Test
  @DisplayName("a simulated task works for its duration in heartbeat steps and yields its output")
  void runsForItsDurationAndYieldsOutput() {
    TaskOutcome outcome =
        executor.run(spec(Duration.ofSeconds(1), "rows-42", 0, 0, null), attempt(1));

    assertThat(outcome).isEqualTo(new TaskOutcome("rows-42", 1, "host-a"));
    assertThat(clock.slept()).isEqualTo(Duration.ofSeconds(1));
    assertThat(clock.sleeps).hasSize(5).allMatch(d -> d.equals(Duration.ofMillis(200)));
    assertThat(beats).containsExactly(0L, 200L, 400L, 600L, 800L);
  }

  @Test
  @DisplayName("the last step is shortened so the attempt lasts exactly its duration")
  void lastStepIsShortened() {
    executor.run(spec(Duration.ofMillis(450), "", 0, 0, null), attempt(1));

    assertThat(clock.sleeps)
        .containsExactly(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofMillis(50));
  }

  @Test
  @DisplayName("a zero-second task returns at once, without heartbeating or sleeping")
  void zeroDurationReturnsImmediately() {
    TaskOutcome outcome = executor.run(spec(Duration.ZERO, "done", 0, 0, null), attempt(1));

    assertThat(outcome.output()).isEqualTo("done");
    assertThat(beats).isEmpty();
    assertThat(clock.sleeps).isEmpty();
  }

  @Test
  @DisplayName("failAttempts fails the first N attempts with a retryable SimulatedFailure")
  void failAttemptsFailsTheFirstAttempts() {
    SimulateSpec spec = spec(Duration.ZERO, "ok", 2, 0, null);

    for (int n = 1; n <= 2; n++) {
      int number = n;
      ApplicationFailure failure =
          catchThrowableOfType(ApplicationFailure.class, () -> executor.run(spec, attempt(number)));
      assertThat(failure.getType()).isEqualTo(TaskFailures.SIMULATED);
      assertThat(failure.isNonRetryable()).isFalse();
      assertThat(failure.getOriginalMessage())
          .isEqualTo(
              "simulated failure: attempt " + n + " of the first 2 that fail (failAttempts)");
      assertThat(failure.getDetails().get(0, Integer.class)).isEqualTo(n);
      assertThat(failure.getDetails().get(1, String.class)).isEqualTo("host-a");
    }
    assertThat(executor.run(spec, attempt(3))).isEqualTo(new TaskOutcome("ok", 3, "host-a"));
  }

  @Test
  @DisplayName("a seeded failureRate fails the same attempts every time it runs")
  void seededFailureRateIsReproducible() {
    SimulateSpec spec = spec(Duration.ZERO, "ok", 0, 0.5, 42L);

    List<Boolean> first = outcomes(spec, "run-1", "extract", 64);
    List<Boolean> second = outcomes(spec, "run-2", "other-task", 64);

    assertThat(first).isEqualTo(second).contains(true, false);
  }

  @Test
  @DisplayName("without a seed, the run id and task name choose which attempts fail")
  void unseededFailureRateDependsOnRunAndTask() {
    SimulateSpec spec = spec(Duration.ZERO, "ok", 0, 0.5, null);

    List<Boolean> run1 = outcomes(spec, "run-1", "extract", 64);

    assertThat(outcomes(spec, "run-1", "extract", 64)).isEqualTo(run1);
    assertThat(outcomes(spec, "run-2", "extract", 64)).isNotEqualTo(run1);
    assertThat(outcomes(spec, "run-1", "load", 64)).isNotEqualTo(run1);
  }

  @Test
  @DisplayName("failureRate is the share of attempts that fail")
  void failureRateIsHonouredOnAverage() {
    SimulateSpec spec = spec(Duration.ZERO, "ok", 0, 0.3, null);
    long failures = 0;
    for (int task = 0; task < 2000; task++) {
      failures += outcomes(spec, "run-1", "task-" + task, 1).stream().filter(ok -> !ok).count();
    }
    assertThat(failures).isBetween(500L, 700L);
    assertThat(outcomes(spec(Duration.ZERO, "", 0, 1.0, 7L), "r", "t", 20)).containsOnly(false);
    assertThat(outcomes(spec(Duration.ZERO, "", 0, 0.0, 7L), "r", "t", 20)).containsOnly(true);
  }

  @Test
  @DisplayName(
      "a canceled simulated task stops at its next heartbeat and rethrows the cancellation")
  void cancellationStopsTheAttempt() {
    Attempt attempt =
        new Attempt(
            new TaskContext("run-1", "extract", RetrySpec.DEFAULT, "team-a"),
            1,
            "host-a",
            details -> {
              beats.add(details);
              if (beats.size() == 3) {
                throw new ActivityCanceledException();
              }
            });

    assertThatThrownBy(() -> executor.run(spec(Duration.ofHours(1), "", 0, 0, null), attempt))
        .isInstanceOf(ActivityCanceledException.class);
    assertThat(clock.slept()).isEqualTo(Duration.ofMillis(400));
  }

  @Test
  @DisplayName("with linear backoff a failure asks Temporal to wait interval × attempt")
  void linearBackoffSetsNextRetryDelay() {
    RetrySpec linear = new RetrySpec(5, Backoff.LINEAR, null, null, null, Duration.ofSeconds(60));
    SimulateSpec spec = spec(Duration.ZERO, "", 9, 0, null);

    for (int n = 1; n <= 3; n++) {
      int number = n;
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () -> executor.run(spec, attempt("run-1", "t", linear, number)));
      assertThat(failure.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(60L * n));
    }
  }

  @Test
  @DisplayName("with exponential or fixed backoff the delay is left to the workflow's RetryOptions")
  void otherBackoffsLeaveTheDelayAlone() {
    SimulateSpec spec = spec(Duration.ZERO, "", 9, 0, null);
    for (Backoff backoff : List.of(Backoff.EXPONENTIAL, Backoff.FIXED)) {
      RetrySpec retry = new RetrySpec(5, backoff, Duration.ofSeconds(1), null, 2.0, null);
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class, () -> executor.run(spec, attempt("r", "t", retry, 2)));
      assertThat(failure.getNextRetryDelay()).isNull();
    }
  }

  /** For attempts 1..n: true where the attempt succeeded. */
  private List<Boolean> outcomes(SimulateSpec spec, String run, String task, int n) {
    List<Boolean> outcomes = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      try {
        executor.run(spec, attempt(run, task, RetrySpec.DEFAULT, i));
        outcomes.add(true);
      } catch (ApplicationFailure e) {
        outcomes.add(false);
      }
    }
    return outcomes;
  }
}
