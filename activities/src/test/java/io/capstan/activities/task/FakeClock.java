package io.capstan.activities.task;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A clock whose sleeps advance it instantly, so simulated durations cost no test time. */
final class FakeClock implements TaskClock {
  private long now = 1_000_000_000L;
  final List<Duration> sleeps = new ArrayList<>();

  @Override
  public long nanoTime() {
    return now;
  }

  @Override
  public void sleep(Duration duration) {
    sleeps.add(duration);
    now += duration.toNanos();
  }

  Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
