package io.capstan.api.auth;

import java.util.List;

/** A tokens file or {@code CAPSTAN_TOKENS} that cannot be used, with every problem in it. */
public final class InvalidTokensException extends RuntimeException {
  private final List<String> problems;

  public InvalidTokensException(String source, List<String> problems) {
    super("invalid tokens in " + source + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
