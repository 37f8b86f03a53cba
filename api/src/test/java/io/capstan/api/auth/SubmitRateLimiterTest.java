package io.capstan.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The submit rate: a token bucket per principal")
class SubmitRateLimiterTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  @DisplayName("a full bucket allows the burst, then one per 1/rate seconds as it refills")
  void bucketRefills() {
    AtomicLong now = new AtomicLong();
    SubmitRateLimiter limiter = new SubmitRateLimiter(new SubmitRate(2, 3), now::get);

    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("alice")).isEmpty();
    }
    assertThat(limiter.acquire("alice")).isEqualTo(OptionalLong.of(1));
    assertThat(limiter.acquire("bob")).isEmpty();

    now.addAndGet(SECOND / 2);
    assertThat(limiter.acquire("alice")).isEmpty();
    assertThat(limiter.acquire("alice")).isPresent();

    now.addAndGet(100 * SECOND);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.acquire("alice")).as("refilled only up to the burst").isEmpty();
    }
    assertThat(limiter.acquire("alice")).isPresent();
  }

  @Test
  @DisplayName("Retry-After is the whole seconds until a submission is allowed again, at least 1")
  void retryAfterRoundsUp() {
    AtomicLong now = new AtomicLong();
    SubmitRateLimiter limiter = new SubmitRateLimiter(new SubmitRate(0.25, 1), now::get);

    assertThat(limiter.acquire("alice")).isEmpty();
    assertThat(limiter.acquire("alice")).isEqualTo(OptionalLong.of(4));
    now.addAndGet(SECOND * 3 + SECOND / 2);
    assertThat(limiter.acquire("alice")).isEqualTo(OptionalLong.of(1));
  }

  @Test
  @DisplayName("an unlimited rate never refuses")
  void unlimited() {
    SubmitRateLimiter limiter = new SubmitRateLimiter(SubmitRate.UNLIMITED);
    for (int i = 0; i < 1000; i++) {
      assertThat(limiter.acquire("alice")).isEmpty();
    }
  }

  @Test
  @DisplayName("--submit-rate takes RATE, RATE/BURST or off, and says so when it is neither")
  void parsesFlag() {
    assertThat(SubmitRate.parse("10")).isEqualTo(new SubmitRate(10, 20));
    assertThat(SubmitRate.parse("5/8")).isEqualTo(new SubmitRate(5, 8));
    assertThat(SubmitRate.parse("0.5")).isEqualTo(new SubmitRate(0.5, 1));
    assertThat(SubmitRate.parse("off").limited()).isFalse();
    assertThat(SubmitRate.parse("10").toString()).isEqualTo("10/s, burst 20");
    assertThatThrownBy(() -> SubmitRate.parse("fast"))
        .hasMessage(
            "invalid submit rate 'fast': write RATE (submissions per second, e.g. 10), RATE/BURST"
                + " (e.g. 10/20) or off");
    assertThatThrownBy(() -> SubmitRate.parse("10/0")).hasMessageContaining("invalid submit rate");
    assertThatThrownBy(() -> SubmitRate.parse("-1")).hasMessageContaining("invalid submit rate");
  }
}
