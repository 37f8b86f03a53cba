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

  /** Opened when the worker stops: every watch ends at once, and its result is still reported. */
  private final java.util.concurrent.CountDownLatch stopping =
      new java.util.concurrent.CountDownLatch(1);

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

  /** How long before its limit a watch ends: a heartbeat timeout, and at least 30 s. */
  static Duration margin(Duration heartbeatTimeout) {
    Duration floor = Duration.ofSeconds(30);
    return heartbeatTimeout == null || heartbeatTimeout.compareTo(floor) < 0
        ? floor
        : heartbeatTimeout;
  }

  /**
   * Ends every watch now, before the worker shuts down: the fleet's next watch finds no worker to
   * pick it up and counts the host lost within its liveness timeout.
   */
  public void stop() {
    stopping.countDown();
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
      // The watch ends by itself just before its start-to-close limit, so the fleet reads a clean
      // end of span (and starts the next watch), never a timeout it could take for a dead host.
      Duration span = context.getInfo().getStartToCloseTimeout();
      java.time.Instant end =
          span == null || span.isZero()
              ? java.time.Instant.MAX
              : java.time.Instant.now().plus(span).minus(margin(timeout));
      do {
        context.heartbeat(host);
        lastBeats.put(host, java.time.Instant.now());
        if (!java.time.Instant.now().plus(every).isBefore(end)) {
          return;
        }
      } while (!stopping.await(every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
    } catch (ActivityCompletionException canceledOrGone) {
      // The fleet canceled the watch (a newer registration replaced it) or the span ended.
    } catch (java.util.concurrent.RejectedExecutionException workerStopping) {
      // The worker shut its heartbeat executor down between two beats (it stopped before this
      // watch was told to): the watch ends quietly, as below.
    } catch (InterruptedException shuttingDown) {
      // The worker is stopping. The watch ends quietly: the fleet's next watch finds no worker
      // to pick it up (its schedule-to-start timeout) and counts the host lost within the
      // liveness timeout, as it would for a host that died.
      Thread.currentThread().interrupt();
    }
  }
}
