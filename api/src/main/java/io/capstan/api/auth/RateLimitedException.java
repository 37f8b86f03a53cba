package io.capstan.api.auth;

/** A principal submitted faster than its rate: answered 429 with {@code Retry-After}. */
public final class RateLimitedException extends RuntimeException {
  private final long retryAfterSeconds;
  private final SubmitRate rate;

  RateLimitedException(String principal, SubmitRate rate, long retryAfterSeconds) {
    super(
        "token '"
            + principal
            + "' submits faster than this API allows ("
            + rate
            + "): try again in "
            + retryAfterSeconds
            + "s");
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
