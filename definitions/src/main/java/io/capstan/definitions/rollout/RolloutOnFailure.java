package io.capstan.definitions.rollout;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * What a rollout does when a batch fails (a new node never Ready or fails burn-in, a drain past its
 * timeout): wait for an operator, put the pool back as it was, or stop where it is.
 */
public enum RolloutOnFailure {
  PAUSE,
  ROLLBACK,
  ABORT;

  @JsonValue
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static RolloutOnFailure parse(String text) {
    return valueOf(text.trim().toUpperCase(Locale.ROOT));
  }
}
