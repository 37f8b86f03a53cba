package io.capstan.definitions;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A definition that cannot be accepted. {@link #error()} says so in one line; {@link #problems()}
 * lists every problem found, each with its path, line and column, so that one round trip tells a
 * person everything to fix.
 */
public class DefinitionException extends RuntimeException {
  private final String error;
  private final List<Problem> problems;

  public DefinitionException(String error, List<Problem> problems) {
    super(describe(error, problems));
    this.error = error;
    this.problems = List.copyOf(problems);
  }

  /** The one-line summary, e.g. {@code the definition has 3 problems}. */
  public String error() {
    return error;
  }

  /** Every problem found, in the order they appear in the input. */
  public List<Problem> problems() {
    return problems;
  }

  private static String describe(String error, List<Problem> problems) {
    if (problems.isEmpty()) {
      return error;
    }
    return error + ":" + problems.stream().map(p -> "\n  " + p).collect(Collectors.joining());
  }
}
