package io.capstan.activities.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Names and labels of the Jobs the {@code container} executor creates. A Job's name is derived from
 * the run, the task and the attempt, so it is the same every time it is computed: {@code
 * TASK-HASH-aN}, where {@code TASK} is the task's name made a DNS label, {@code HASH} ten hex
 * digits of the SHA-256 of run and task (two runs never share a name), and {@code N} the attempt.
 * It fits the 63 characters of the {@code job-name} label Kubernetes puts on its pods.
 */
public final class JobNames {
  /** Labels on every Job and pod Capstan creates. */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  public static final String MANAGER = "capstan";
  public static final String RUN_LABEL = "capstan.io/run";
  public static final String TASK_LABEL = "capstan.io/task";
  public static final String ATTEMPT_LABEL = "capstan.io/attempt";

  /** Annotations with the exact run id and task name, which labels may have had to shorten. */
  public static final String RUN_ANNOTATION = "capstan.io/run-id";

  public static final String TASK_ANNOTATION = "capstan.io/task-name";

  private static final int MAX_NAME = 63;
  private static final Pattern LABEL_VALUE =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]|");

  private JobNames() {}

  /** The Job of attempt {@code attempt} of {@code task} in run {@code runId}. */
  public static String job(String runId, String task, int attempt) {
    String suffix = "-" + hash(runId + "\n" + task, 10) + "-a" + attempt;
    String base = task.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]+", "-");
    base = base.replaceAll("^-+", "");
    int room = MAX_NAME - suffix.length();
    if (base.length() > room) {
      base = base.substring(0, room);
    }
    base = base.replaceAll("-+$", "");
    return (base.isEmpty() ? "task" : base) + suffix;
  }

  /**
   * {@code value} as a label value: itself where it is one, else its legal characters (others
   * become '.') shortened, with a hash of the whole so distinct values stay distinct.
   */
  public static String labelValue(String value) {
    if (value == null) {
      return "";
    }
    if (LABEL_VALUE.matcher(value).matches()) {
      return value;
    }
    String cleaned = value.replaceAll("[^-A-Za-z0-9_.]", ".");
    String head = cleaned.length() > 46 ? cleaned.substring(0, 46) : cleaned;
    head = head.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    String tail = hash(value, 16);
    return head.isEmpty() ? tail : head + "-" + tail;
  }

  private static String hash(String value, int hexDigits) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, hexDigits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
