package io.capstan.api.http;

import java.util.List;

/** The body of every error answer: a one-line summary and the details a person acts on. */
public record ErrorBody(String error, List<ErrorDetail> details) {
  public ErrorBody {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static ErrorBody of(String error) {
    return new ErrorBody(error, List.of());
  }
}
