package io.capstan.api.http;

import io.javalin.http.HttpStatus;
import java.util.List;

/** The request body is above the API's limit. Answered 413. */
public class PayloadTooLargeException extends ApiException {
  private final long limit;

  public PayloadTooLargeException(long limit) {
    super(
        HttpStatus.CONTENT_TOO_LARGE,
        "the request body is larger than the limit of " + limit + " bytes",
        List.of());
    this.limit = limit;
  }

  public long limit() {
    return limit;
  }
}
