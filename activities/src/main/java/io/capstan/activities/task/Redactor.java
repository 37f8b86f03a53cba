package io.capstan.activities.task;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Masks secret values in text that leaves the worker: task outputs, stderr tails and failure
 * messages all end up in Temporal's history. Longer secrets are replaced first, so a secret that
 * contains another is masked whole.
 */
final class Redactor {
  static final String MASK = "***";
  static final Redactor NONE = new Redactor(List.of());

  private final List<String> secrets;

  private Redactor(List<String> secrets) {
    this.secrets = secrets;
  }

  /** A redactor for {@code values}; empty values are ignored, as there is nothing to mask. */
  static Redactor of(List<String> values) {
    List<String> secrets =
        values.stream()
            .filter(Objects::nonNull)
            .filter(v -> !v.isEmpty())
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
    return secrets.isEmpty() ? NONE : new Redactor(secrets);
  }

  String apply(String text) {
    if (text == null || secrets.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String secret : secrets) {
      masked = masked.replace(secret, MASK);
    }
    return masked;
  }

  /**
   * How many characters at the start of a cut text may hold the rest of a secret whose beginning
   * was cut off, and so cannot be matched: the longest secret's length; 0 without secrets.
   */
  int margin() {
    return secrets.isEmpty() ? 0 : secrets.get(0).length();
  }
}
