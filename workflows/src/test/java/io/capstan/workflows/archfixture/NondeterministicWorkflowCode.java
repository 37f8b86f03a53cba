package io.capstan.workflows.archfixture;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything workflow code must not do, in a package the determinism rules cover. It exists only so
 * that a test can prove each rule catches it; it is never run.
 */
public final class NondeterministicWorkflowCode {
  private NondeterministicWorkflowCode() {}

  public static long clocks() {
    return System.currentTimeMillis()
        + System.nanoTime()
        + Instant.now().toEpochMilli()
        + LocalDateTime.now().getNano()
        + Clock.systemUTC().millis();
  }

  public static double randomness() {
    return Math.random()
        + UUID.randomUUID().hashCode()
        + ThreadLocalRandom.current().nextInt()
        + new SecureRandom().nextInt();
  }

  public static void threads() throws Exception {
    new Thread(() -> {}).start();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    pool.shutdown();
    CompletableFuture.completedFuture(1).get();
  }

  public static String io() throws Exception {
    System.out.println(System.getenv("HOME"));
    return Files.readString(Path.of("/etc/hostname")) + URI.create("http://example.com").toURL();
  }
}
