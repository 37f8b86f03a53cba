package io.capstan.definitions.cluster;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The names Kubernetes accepts for node label keys and values and for taint keys, as its API
 * server's validation has them, with what to write instead when one is refused.
 */
public final class KubernetesNames {
  /** The longest label value, and the longest name part of a qualified name. */
  public static final int MAX_NAME = 63;

  /** The longest prefix of a qualified name: a DNS subdomain. */
  public static final int MAX_PREFIX = 253;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String NAME_RULE =
      "at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";

  private KubernetesNames() {}

  /**
   * What is wrong with {@code key} as a node label key: not a qualified name, or under a prefix
   * Kubernetes keeps for itself (one that is or ends in {@code kubernetes.io} or {@code k8s.io},
   * such as {@code node-role.kubernetes.io}); empty when it can be used.
   */
  public static Optional<String> labelKeyProblem(String key) {
    Optional<String> problem = qualifiedNameProblem(key, "label key");
    if (problem.isPresent()) {
      return problem;
    }
    int slash = key.indexOf('/');
    String prefix = slash < 0 ? "" : key.substring(0, slash);
    if (reserved(prefix)) {
      return Optional.of(
          "'"
              + key
              + "' is set by Kubernetes: prefixes ending in kubernetes.io or k8s.io are its own;"
              + " use a prefix of yours, such as example.com/"
              + key.substring(slash + 1));
    }
    return Optional.empty();
  }

  /** What is wrong with {@code key} as a taint key; empty when it is a qualified name. */
  public static Optional<String> taintKeyProblem(String key) {
    return qualifiedNameProblem(key, "taint key");
  }

  /** What is wrong with {@code value} as a label or taint value; empty when it can be used. */
  public static Optional<String> valueProblem(String value) {
    if (value.isEmpty() || (value.length() <= MAX_NAME && NAME.matcher(value).matches())) {
      return Optional.empty();
    }
    return Optional.of(
        "'"
            + abbreviate(value)
            + "' is not a valid label value: use "
            + NAME_RULE
            + ", or nothing");
  }

  /** A name, optionally after a DNS subdomain prefix and '/', as in {@code nvidia.com/gpu}. */
  private static Optional<String> qualifiedNameProblem(String key, String what) {
    int slash = key.indexOf('/');
    String prefix = slash < 0 ? null : key.substring(0, slash);
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (prefix != null
        && (prefix.isEmpty()
            || prefix.length() > MAX_PREFIX
            || !SUBDOMAIN.matcher(prefix).matches())) {
      return Optional.of(
          "'"
              + abbreviate(key)
              + "' is not a valid "
              + what
              + ": its prefix before '/' must be a DNS subdomain such as example.com (lowercase"
              + " letters, digits, '-' and '.', at most 253 characters)");
    }
    if (name.length() > MAX_NAME || !NAME.matcher(name).matches()) {
      return Optional.of(
          "'"
              + abbreviate(key)
              + "' is not a valid "
              + what
              + ": write a name of "
              + NAME_RULE
              + ", optionally after a prefix and '/', such as example.com/tier");
    }
    return Optional.empty();
  }

  private static boolean reserved(String prefix) {
    for (String domain : new String[] {"kubernetes.io", "k8s.io"}) {
      if (prefix.equals(domain) || prefix.endsWith("." + domain)) {
        return true;
      }
    }
    return false;
  }

  private static String abbreviate(String text) {
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }
}
