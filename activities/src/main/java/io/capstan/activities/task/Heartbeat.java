package io.capstan.activities.task;

import io.temporal.client.ActivityCompletionException;

/** Reports that an attempt is alive; Temporal answers a cancellation by throwing. */
@FunctionalInterface
interface Heartbeat {
  /**
   * @throws ActivityCompletionException when the workflow canceled the attempt, or the worker is
   *     shutting down; callers stop their work and rethrow it
   */
  void beat(Object details);
}
