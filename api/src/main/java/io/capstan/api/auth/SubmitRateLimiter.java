package io.capstan.api.auth;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per principal: each holds up to {@code burst} submissions and refills at {@code
 * perSecond}. The buckets are keyed by principal name, so their number is bounded by the tokens
 * configured.
 */
public final class SubmitRateLimiter {
  private final SubmitRate rate;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  public SubmitRateLimiter(SubmitRate rate) {
    this(rate, System::nanoTime);
  }

  /** A limiter reading time from {@code nanoTime}, so tests need not wait for a refill. */
  public SubmitRateLimiter(SubmitRate rate, LongSupplier nanoTime) {
    this.rate = rate;
    this.nanoTime = nanoTime;
  }

  public SubmitRate rate() {
    return rate;
  }

  /**
   * Takes one submission from the principal's bucket.
   *
   * @return empty when it may go ahead, else the whole seconds until the bucket holds one again
   */
  public OptionalLong acquire(String principal) {
    if (!rate.limited()) {
      return OptionalLong.empty();
    }
    return buckets.computeIfAbsent(principal, p -> new Bucket(nanoTime.getAsLong())).take();
  }

  private final class Bucket {
    private double tokens;
    private long refilledAt;

    Bucket(long now) {
      tokens = rate.burst();
      refilledAt = now;
    }

    synchronized OptionalLong take() {
      long now = nanoTime.getAsLong();
      double elapsed = Math.max(0, now - refilledAt) / 1e9;
      tokens = Math.min(rate.burst(), tokens + elapsed * rate.perSecond());
      refilledAt = now;
      if (tokens >= 1) {
        tokens -= 1;
        return OptionalLong.empty();
      }
      double wait = (1 - tokens) / rate.perSecond();
      return OptionalLong.of(Math.max(1, (long) Math.ceil(wait)));
    }
  }
}
