package io.capstan.api.auth;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;

/** A principal submitted faster than its rate: answered 429 with {@code Retry-After}. */
public final class RateLimitedException extends ApiException {
  private final long retryAfterSeconds;
  private final SubmitRate rate;

  RateLimitedException(String principal, SubmitRate rate, long retryAfterSeconds) {
    super(
        HttpStatus.TOO_MANY_REQUESTS,
        "token '"
            + principal
            + "' submits faster than this API allows ("
            + rate
            + "): try again in "
            + retryAfterSeconds
            + "s",
        List.of(
            ErrorDetail.at(
                "Retry-After",
                "wait "
                    + retryAfterSeconds
                    + "s, then send again; submit several definitions as one"
                    + " multi-document body to start them with one request")),
        Map.of(Header.RETRY_AFTER, Long.toString(retryAfterSeconds)));
    this.retryAfterSeconds = retryAfterSeconds;
    this.rate = rate;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  public SubmitRate rate() {
    return rate;
  }
}
