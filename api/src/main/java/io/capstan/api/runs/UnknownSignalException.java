package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/** The run's kind takes no signal of that name. Answered 422 with the names it does take. */
public class UnknownSignalException extends ApiException {
  private final String signal;
  private final List<String> known;

  public UnknownSignalException(RunKind kind, String signal) {
    super(
        HttpStatus.UNPROCESSABLE_CONTENT,
        "a " + kind.kindName() + " run takes no signal '" + signal + "'",
        List.of(
            ErrorDetail.at(
                "signal",
                kind.signals().isEmpty()
                    ? "this kind of run takes no signals"
                    : "known signals: " + String.join(", ", kind.signals()))));
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
