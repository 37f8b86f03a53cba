package io.capstan.app.up;

import java.util.Locale;

/** Whether {@code capstan up}'s API asks for bearer tokens. */
public enum AuthMode {
  /** On when tokens are configured (a tokens file or {@code CAPSTAN_TOKENS}), else off. */
  AUTO,
  /** On; tokens must be configured. */
  ON,
  /** Off, which only a loopback bind address allows. */
  OFF;

  public String flagValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The mode {@code --auth} names.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static AuthMode fromFlag(String value) {
    for (AuthMode mode : values()) {
      if (mode.flagValue().equalsIgnoreCase(value.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException("unknown --auth value '" + value + "': use on, off or auto");
  }
}
