package io.capstan.api.http;

import java.util.List;

/**
 * The request was read, but a value in it cannot be acted on: a filter value outside its allowed
 * set, a backfill range that ends before it starts. Answered 422, naming each value.
 */
public class UnprocessableException extends RuntimeException {
  private final List<ErrorDetail> details;

  public UnprocessableException(String message, List<ErrorDetail> details) {
    super(message);
    this.details = List.copyOf(details);
  }

  public List<ErrorDetail> details() {
    return details;
  }
}
