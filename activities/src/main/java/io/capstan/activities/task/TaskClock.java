package io.capstan.activities.task;

import java.time.Duration;

/**
 * The time source task executors pace themselves with. Production uses {@link #SYSTEM}; tests pass
 * a fake that advances instantly, so a simulated hour takes no wall time.
 */
public interface TaskClock {
  /** A monotonic reading in nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Blocks for {@code duration}, or returns early when interrupted. */
  void sleep(Duration duration) throws InterruptedException;

  /** Real time. */
  TaskClock SYSTEM =
      new TaskClock() {
        @Override
        public long nanoTime() {
          return System.nanoTime();
        }

        @Override
        public void sleep(Duration duration) throws InterruptedException {
          Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
      };
}
