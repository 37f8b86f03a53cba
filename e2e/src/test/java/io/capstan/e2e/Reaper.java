package io.capstan.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops the processes the tests start. Each harness stops its own in its {@code close}; the
 * shutdown hook is the last line of defence for a test JVM that ends some other way, so no dev
 * server or Capstan process outlives a build.
 */
final class Reaper {
  private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(ProcessHandle::destroyForcibly), "e2e-reaper"));
  }

  private Reaper() {}

  /** Remembers a process until {@link #stop} stops it. */
  static void track(ProcessHandle process) {
    LIVE.add(process);
  }

  /**
   * SIGTERM, then SIGKILL after {@code grace}; the descendants are listed first, because once the
   * parent is gone they are reparented and no longer show up as its descendants.
   */
  static void stop(ProcessHandle process, Duration grace) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    awaitExit(process, grace);
    descendants.forEach(Reaper::kill);
    LIVE.remove(process);
  }

  /** SIGKILL, as {@code kill -9} sends it: the process gets no chance to clean up. */
  static void kill(ProcessHandle process) {
    process.destroyForcibly();
    awaitExit(process, Duration.ofSeconds(10));
    LIVE.remove(process);
  }

  private static void awaitExit(ProcessHandle process, Duration grace) {
    try {
      process.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      process.destroyForcibly();
      process.onExit().orTimeout(10, TimeUnit.SECONDS).join();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
