package io.capstan.api.runs;

import java.util.List;

/** The run's kind takes no signal of that name. Answered 422 with the names it does take. */
public class UnknownSignalException extends RuntimeException {
  private final String signal;
  private final List<String> known;

  public UnknownSignalException(RunKind kind, String signal) {
    super("a " + kind.kindName() + " run takes no signal '" + signal + "'");
    this.signal = signal;
    this.known = kind.signals();
  }

  public String signal() {
    return signal;
  }

  public List<String> known() {
    return known;
  }
}
