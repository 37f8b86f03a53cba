package io.capstan.gpu;

import io.capstan.workflows.gpu.HostActivities;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;

/**
 * A GPU host's proof of life for the fleet: heartbeats a third of the heartbeat timeout apart until
 * the fleet cancels the watch or its span ends. Heartbeats are throttled by the SDK and never
 * written to history, so a fleet of hosts costs no history per beat.
 */
public final class HostLiveness implements HostActivities {
  private static final Duration FLOOR = Duration.ofMillis(50);

  private final java.util.Map<String, java.time.Instant> lastBeats =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * When a watch of {@code host} last beat on this worker; empty when none ever did. A host whose
   * watch has gone quiet for longer than the fleet's liveness timeout was given up by the fleet (or
   * never joined), and registers again.
   */
  public java.util.Optional<java.time.Instant> lastBeat(String host) {
    return java.util.Optional.ofNullable(lastBeats.get(host));
  }

  @Override
  public void watch(String host) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    Duration timeout = context.getInfo().getHeartbeatTimeout();
    Duration every =
        timeout == null || timeout.isZero() ? Duration.ofSeconds(10) : timeout.dividedBy(3);
    if (every.compareTo(FLOOR) < 0) {
      every = FLOOR;
    }
    try {
      while (true) {
        context.heartbeat(host);
        lastBeats.put(host, java.time.Instant.now());
        Thread.sleep(every.toMillis());
      }
    } catch (ActivityCompletionException canceledOrGone) {
      // The fleet canceled the watch (a newer registration replaced it) or the span ended.
    } catch (InterruptedException shuttingDown) {
      // The worker is stopping: the host is going away, and the fleet should know it now.
      Thread.currentThread().interrupt();
      throw Activity.wrap(shuttingDown);
    }
  }
}
