package io.capstan.api.http;

import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The request was read, but a value in it cannot be acted on: a filter value outside its allowed
 * set, a backfill range that ends before it starts. Answered 422, naming each value.
 */
public class UnprocessableException extends ApiException {
  public UnprocessableException(String message, List<ErrorDetail> details) {
    super(HttpStatus.UNPROCESSABLE_CONTENT, message, details);
  }
}
