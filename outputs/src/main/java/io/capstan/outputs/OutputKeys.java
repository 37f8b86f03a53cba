package io.capstan.outputs;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The keys outputs are stored under: {@code runs/RUN/TASK/SHA256}. Each segment is percent-encoded
 * beyond {@code [A-Za-z0-9._-]}, so a run id or task name can never climb out of its folder or name
 * another run's objects, and a key is a valid S3 key and relative path alike.
 */
public final class OutputKeys {
  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern KEY =
      Pattern.compile(
          "runs/[A-Za-z0-9._%-]+/[A-Za-z0-9._%-]+/[0-9a-f]{64}|definitions/[0-9a-f]{64}"
              + "|logs/[A-Za-z0-9._%-]+/[A-Za-z0-9._%-]+/[1-9][0-9]{0,8}");

  private OutputKeys() {}

  /** The key of an output of {@code task} in {@code run} whose SHA-256 is {@code sha256} (hex). */
  public static String of(String run, String task, String sha256) {
    if (sha256 == null || !DIGEST.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
    }
    return "runs/" + segment(run) + "/" + segment(task) + "/" + sha256;
  }

  /**
   * The key of a stored definition (a large pipeline's tasks, or one segment of them): {@code
   * definitions/SHA256}, content-addressed, so storing the same definition twice is one object.
   */
  public static String definition(String sha256) {
    if (sha256 == null || !DIGEST.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a lower-case hex SHA-256: " + sha256);
    }
    return "definitions/" + sha256;
  }

  /**
   * The key of the log tail of attempt {@code attempt} of {@code task} in {@code run}: {@code
   * logs/RUN/TASK/ATTEMPT}, which {@code capstan logs} reads once the attempt has ended.
   */
  public static String log(String run, String task, int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, not " + attempt);
    }
    return "logs/" + segment(run) + "/" + segment(task) + "/" + attempt;
  }

  /** Refuses anything {@link #of}, {@link #definition} or {@link #log} cannot have built. */
  public static String checked(String key) {
    if (key == null || !KEY.matcher(key).matches() || key.contains("/../") || key.contains("/./")) {
      throw new IllegalArgumentException("not an output key: " + key);
    }
    return key;
  }

  private static String segment(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a run id and a task name must not be empty");
    }
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      boolean plain =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '-'
              || (c == '.' && out.length() > 0);
      out.append(plain ? String.valueOf(c) : String.format(Locale.ROOT, "%%%02X", b & 0xff));
    }
    String encoded = out.toString();
    // "." and ".." alone are never produced: a leading dot is encoded.
    return encoded;
  }
}
