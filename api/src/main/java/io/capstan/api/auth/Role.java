package io.capstan.api.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What a principal may do, each role including the ones before it: a viewer reads, an operator also
 * submits, validates, signals, cancels, retries and changes schedules, and an admin also sees every
 * namespace and, when it is protected, {@code /metrics}.
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** Whether this role may do what {@code needed} may. */
  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The role as tokens files and messages spell it: {@code viewer}, {@code operator}, ... */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role a tokens file names, in any letter case. */
  public static Optional<Role> parse(String label) {
    if (label == null) {
      return Optional.empty();
    }
    String wanted = label.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(r -> r.label().equals(wanted)).findFirst();
  }

  /** {@code viewer, operator, admin}, for messages. */
  public static String labels() {
    return Arrays.stream(values()).map(Role::label).collect(Collectors.joining(", "));
  }
}
