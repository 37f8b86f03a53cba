package io.capstan.api.http;

import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The request cannot be read as sent: an empty or non-UTF-8 body, a malformed query parameter or
 * page token. Answered 400.
 */
public class BadRequestException extends ApiException {
  public BadRequestException(String message) {
    this(message, List.of());
  }

  public BadRequestException(String message, List<ErrorDetail> details) {
    super(HttpStatus.BAD_REQUEST, message, details);
  }
}
