package io.capstan.api.http;

import java.util.List;

/**
 * The request cannot be read as sent: an empty or non-UTF-8 body, a malformed query parameter or
 * page token. Answered 400.
 */
public class BadRequestException extends RuntimeException {
  private final List<ErrorDetail> details;

  public BadRequestException(String message) {
    this(message, List.of());
  }

  public BadRequestException(String message, List<ErrorDetail> details) {
    super(message);
    this.details = List.copyOf(details);
  }

  public List<ErrorDetail> details() {
    return details;
  }
}
