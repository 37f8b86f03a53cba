package io.capstan.api.runs;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Run ids are the Temporal workflow ids of runs, readable in the Web UI and stable for a run's
 * life: {@code <kind>-<namespace>-<name>-<8 chars>}, e.g. {@code
 * pipeline-team-a-nightly-etl-k3x9q2mz}. The suffix is random, or derived from the {@code
 * Idempotency-Key} so that a resend finds the run the first request started.
 *
 * <p>A run that a schedule starts has the schedule's id with the time it was due appended by
 * Temporal: {@code schedule-<namespace>-<name>-2025-01-01T00:00:00Z}. Only jobs are scheduled.
 */
public final class RunIds {
  static final int SUFFIX_LENGTH = 8;
  private static final int MAX_LENGTH = 255;
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final BigInteger SUFFIX_SPACE = BigInteger.valueOf(36).pow(SUFFIX_LENGTH);
  private static final Pattern SHAPE =
      Pattern.compile("[a-z]+-[a-z0-9][a-z0-9-]*-[a-z0-9]{" + SUFFIX_LENGTH + "}");
  private static final Pattern SCHEDULED =
      Pattern.compile(
          "schedule-[a-z0-9][a-z0-9-]*-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z");
  private static final SecureRandom RANDOM = new SecureRandom();

  private RunIds() {}

  /** A fresh id for a new run. */
  public static String random(RunKind kind, String namespace, String name) {
    StringBuilder suffix = new StringBuilder(SUFFIX_LENGTH);
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      suffix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return stem(kind, namespace, name) + suffix;
  }

  /**
   * The id a request with this idempotency key gets: the same key for the same definition identity
   * (kind, namespace, name) always yields the same id.
   */
  public static String forIdempotencyKey(
      RunKind kind, String namespace, String name, String idempotencyKey) {
    String material = String.join("\n", kind.kindName(), namespace, name, idempotencyKey.strip());
    BigInteger hash = new BigInteger(1, sha256(material.getBytes(StandardCharsets.UTF_8)));
    String suffix = hash.mod(SUFFIX_SPACE).toString(36);
    return stem(kind, namespace, name) + "0".repeat(SUFFIX_LENGTH - suffix.length()) + suffix;
  }

  /**
   * The id of an entity kind's run (a Cluster): derived from the kind, namespace and name alone, so
   * there is one per cluster and anyone can find it.
   */
  public static String forEntity(RunKind kind, String namespace, String name) {
    return forIdempotencyKey(kind, namespace, name, "entity");
  }

  /** Whether {@code id} has the shape of a run id; anything else cannot name a run. */
  public static boolean isWellFormed(String id) {
    return id != null
        && id.length() <= MAX_LENGTH
        && (SHAPE.matcher(id).matches() || SCHEDULED.matcher(id).matches());
  }

  /** The kind a well-formed id names, from its first segment. */
  public static Optional<RunKind> kindOf(String id) {
    if (!isWellFormed(id)) {
      return Optional.empty();
    }
    if (SCHEDULED.matcher(id).matches()) {
      return Optional.of(RunKind.JOB);
    }
    String prefix = id.substring(0, id.indexOf('-'));
    for (RunKind kind : RunKind.values()) {
      if (kind.idPrefix().equals(prefix)) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  private static String stem(RunKind kind, String namespace, String name) {
    return kind.idPrefix() + "-" + segment(namespace) + "-" + segment(name) + "-";
  }

  /**
   * A name or namespace as a segment of an id: names are DNS labels already; this keeps ids
   * well-formed even for an unexpected one.
   */
  public static String segment(String value) {
    String lower = value.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    String trimmed = lower.replaceAll("^-+|-+$", "");
    return trimmed.isEmpty() ? "x" : trimmed;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
