package io.capstan.definitions.rollout;

import java.time.Duration;

/**
 * A point in a rollout, as a percentage of the pool's nodes replaced, where it waits: for {@code
 * soak}, or until an operator resumes it when {@code pause} is true (as an Auto Scaling instance
 * refresh's checkpoints). A checkpoint with neither only bounds the batches: none crosses it.
 *
 * @param percent 1 to 100
 * @param soak null for none
 * @param pause whether to wait for a {@code resume} signal; default false
 */
public record Checkpoint(int percent, Duration soak, Boolean pause) {
  public Checkpoint {
    soak = soak == null ? Duration.ZERO : soak;
    pause = pause != null && pause;
  }

  public boolean pauses() {
    return pause;
  }
}
