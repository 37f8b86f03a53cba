package io.capstan.definitions.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeout;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("A rollout window opens at each cron time in its zone and stays open for its duration")
class RolloutWindowTest {
  private static final String PARIS = "Europe/Paris";
  private static final String NEW_YORK = "America/New_York";

  private static RolloutWindow window(String cron, Duration duration, String zone) {
    return new RolloutWindow(cron, duration, zone);
  }

  private static Instant at(String instant) {
    return Instant.parse(instant);
  }

  @Nested
  @DisplayName("weeknights from 22:00 to 04:00 in Paris (CET, UTC+1, in January)")
  class Weeknights {
    private final RolloutWindow nights = window("0 22 * * MON-FRI", Duration.ofHours(6), PARIS);

    @Test
    @DisplayName("it is open from the opening instant itself")
    void opensAtItsTime() {
      // Friday 2026-01-16 22:00 CET.
      assertThat(nights.isOpen(at("2026-01-16T21:00:00Z"))).isTrue();
      assertThat(nights.isOpen(at("2026-01-16T20:59:59Z"))).isFalse();
      assertThat(nights.nextOpen(at("2026-01-16T12:00:00Z"))).isEqualTo(at("2026-01-16T21:00:00Z"));
    }

    @Test
    @DisplayName("it spans midnight and is closed at its end")
    void spansMidnight() {
      assertThat(nights.isOpen(at("2026-01-16T23:30:00Z"))).isTrue(); // Saturday 00:30 in Paris
      assertThat(nights.isOpen(at("2026-01-17T02:59:59.999Z"))).isTrue();
      assertThat(nights.isOpen(at("2026-01-17T03:00:00Z"))).isFalse(); // Saturday 04:00
    }

    @Test
    @DisplayName("while open, the next opening is now")
    void nextOpenWhileOpen() {
      Instant saturdayOneAm = at("2026-01-17T00:00:00Z");
      assertThat(nights.nextOpen(saturdayOneAm)).isEqualTo(saturdayOneAm);
    }

    @Test
    @DisplayName("after Friday night the next window is Monday night")
    void skipsTheWeekend() {
      assertThat(nights.nextOpen(at("2026-01-17T03:00:00Z"))).isEqualTo(at("2026-01-19T21:00:00Z"));
      assertThat(nights.isOpen(at("2026-01-17T21:30:00Z"))).isFalse(); // Saturday 22:30
      assertThat(nights.isOpen(at("2026-01-18T21:30:00Z"))).isFalse(); // Sunday 22:30
    }

    @Test
    @DisplayName("in summer the same local time is an hour earlier in UTC")
    void summerTime() {
      assertThat(nights.nextOpen(at("2026-07-06T12:00:00Z"))).isEqualTo(at("2026-07-06T20:00:00Z"));
    }
  }

  @Nested
  @DisplayName("on the spring-forward night in Paris (2026-03-29, 02:00 CET becomes 03:00 CEST)")
  class SpringForward {
    @Test
    @DisplayName("a time the gap skips opens when the gap ends, 03:00 CEST")
    void aSkippedTimeOpensWhenTheGapEnds() {
      RolloutWindow halfPastTwo = window("30 2 * * *", Duration.ofHours(1), PARIS);

      // The day before, 02:30 CET; the day after, 02:30 CEST.
      assertThat(halfPastTwo.nextOpen(at("2026-03-28T00:00:00Z")))
          .isEqualTo(at("2026-03-28T01:30:00Z"));
      assertThat(halfPastTwo.nextOpen(at("2026-03-29T00:00:00Z")))
          .isEqualTo(at("2026-03-29T01:00:00Z"));
      assertThat(halfPastTwo.nextOpen(at("2026-03-29T02:00:00Z")))
          .isEqualTo(at("2026-03-30T00:30:00Z"));
      assertThat(halfPastTwo.isOpen(at("2026-03-29T00:59:59Z"))).isFalse();
      assertThat(halfPastTwo.isOpen(at("2026-03-29T01:59:59Z"))).isTrue();
      assertThat(halfPastTwo.isOpen(at("2026-03-29T02:00:00Z"))).isFalse();
    }

    @Test
    @DisplayName("two times in the gap open once, together")
    void twoSkippedTimesOpenTogether() {
      RolloutWindow twice = window("0,30 2 29 3 *", Duration.ofMinutes(10), PARIS);

      assertThat(twice.nextOpen(at("2026-03-29T00:00:00Z"))).isEqualTo(at("2026-03-29T01:00:00Z"));
      assertThat(twice.nextOpen(at("2026-03-29T01:10:00Z"))).isEqualTo(at("2027-03-29T00:00:00Z"));
    }

    @Test
    @DisplayName("a window across the gap lasts its duration in elapsed time")
    void durationIsElapsedTime() {
      RolloutWindow fromOne = window("0 1 * * *", Duration.ofHours(2), PARIS);

      // Opens 01:00 CET (00:00Z); two hours later it is 04:00 CEST.
      assertThat(fromOne.isOpen(at("2026-03-29T01:59:59Z"))).isTrue();
      assertThat(fromOne.isOpen(at("2026-03-29T02:00:00Z"))).isFalse();
    }
  }

  @Nested
  @DisplayName("on the fall-back night in Paris (2026-10-25, 03:00 CEST becomes 02:00 CET)")
  class FallBack {
    @Test
    @DisplayName("a time that happens twice opens once, at its first occurrence")
    void aRepeatedTimeOpensOnce() {
      RolloutWindow halfPastTwo = window("30 2 * * *", Duration.ofMinutes(30), PARIS);

      // 02:30 CEST is 00:30Z; 02:30 CET, an hour later, opens nothing.
      assertThat(halfPastTwo.nextOpen(at("2026-10-25T00:00:00Z")))
          .isEqualTo(at("2026-10-25T00:30:00Z"));
      assertThat(halfPastTwo.isOpen(at("2026-10-25T00:45:00Z"))).isTrue();
      assertThat(halfPastTwo.isOpen(at("2026-10-25T01:45:00Z"))).isFalse();
      assertThat(halfPastTwo.nextOpen(at("2026-10-25T01:00:00Z")))
          .isEqualTo(at("2026-10-26T01:30:00Z"));
    }

    @Test
    @DisplayName("an hourly window skips the repeated hour")
    void hourlySkipsTheRepeatedHour() {
      RolloutWindow hourly = window("0 * * * *", Duration.ofMinutes(10), PARIS);

      // 02:00 CEST (00:00Z), then 02:00 CET (01:00Z) is not an opening, then 03:00 CET (02:00Z).
      assertThat(hourly.nextOpen(at("2026-10-24T23:30:00Z"))).isEqualTo(at("2026-10-25T00:00:00Z"));
      assertThat(hourly.nextOpen(at("2026-10-25T00:30:00Z"))).isEqualTo(at("2026-10-25T02:00:00Z"));
      assertThat(hourly.isOpen(at("2026-10-25T01:05:00Z"))).isFalse();
    }

    @Test
    @DisplayName("a window across the repeated hour lasts its duration in elapsed time")
    void durationIsElapsedTime() {
      RolloutWindow fromOne = window("0 1 25 10 *", Duration.ofHours(3), PARIS);

      // Opens 01:00 CEST (23:00Z the day before); three hours later it is 03:00 CET.
      assertThat(fromOne.isOpen(at("2026-10-25T01:59:59Z"))).isTrue();
      assertThat(fromOne.isOpen(at("2026-10-25T02:00:00Z"))).isFalse();
    }
  }

  @Nested
  @DisplayName("in New York")
  class NewYork {
    @Test
    @DisplayName("09:00 is 14:00Z in winter and 13:00Z in summer")
    void standardAndDaylightTime() {
      RolloutWindow mornings = window("0 9 * * *", Duration.ofHours(8), NEW_YORK);

      assertThat(mornings.nextOpen(at("2026-01-05T00:00:00Z")))
          .isEqualTo(at("2026-01-05T14:00:00Z"));
      assertThat(mornings.nextOpen(at("2026-07-06T00:00:00Z")))
          .isEqualTo(at("2026-07-06T13:00:00Z"));
      assertThat(mornings.isOpen(at("2026-07-06T20:59:59Z"))).isTrue();
      assertThat(mornings.isOpen(at("2026-07-06T21:00:00Z"))).isFalse();
    }

    @Test
    @DisplayName("02:30 on the spring-forward day (2026-03-08) opens at 03:00 EDT")
    void springForward() {
      RolloutWindow gap = window("30 2 * * SUN", Duration.ofHours(1), NEW_YORK);

      assertThat(gap.nextOpen(at("2026-03-08T00:00:00Z"))).isEqualTo(at("2026-03-08T07:00:00Z"));
      assertThat(gap.nextOpen(at("2026-03-09T00:00:00Z"))).isEqualTo(at("2026-03-15T06:30:00Z"));
    }

    @Test
    @DisplayName("01:30 on the fall-back day (2026-11-01) opens once, at 01:30 EDT")
    void fallBack() {
      RolloutWindow repeated = window("30 1 1 11 *", Duration.ofMinutes(30), NEW_YORK);

      assertThat(repeated.nextOpen(at("2026-10-31T00:00:00Z")))
          .isEqualTo(at("2026-11-01T05:30:00Z"));
      assertThat(repeated.isOpen(at("2026-11-01T06:40:00Z"))).isFalse();
    }
  }

  @Nested
  @DisplayName("rare and impossible dates")
  class RareDates {
    @Test
    @DisplayName("a leap day is found years ahead, across a century that skips one")
    void leapDay() {
      RolloutWindow leapDay = window("0 0 29 2 *", Duration.ofHours(1), "UTC");

      assertThat(leapDay.nextOpen(at("2026-03-01T00:00:00Z")))
          .isEqualTo(at("2028-02-29T00:00:00Z"));
      assertThat(leapDay.nextOpen(at("2096-03-01T00:00:00Z")))
          .isEqualTo(at("2104-02-29T00:00:00Z"));
    }

    @Test
    @DisplayName("a yearly window is found by the day, not by the minute")
    void yearlyIsQuick() {
      RolloutWindow newYear = window("0 0 1 1 *", Duration.ofHours(1), PARIS);

      assertTimeout(
          Duration.ofSeconds(5),
          () -> {
            Instant from = at("2026-01-01T00:00:00Z");
            for (int i = 0; i < 1000; i++) {
              assertThat(newYear.nextOpen(from)).isEqualTo(at("2026-12-31T23:00:00Z"));
            }
          });
    }

    @Test
    @DisplayName("a cron that names no date that exists is refused by name")
    void february30() {
      RolloutWindow never = window("0 0 30 2 *", Duration.ofHours(1), "UTC");

      assertThatThrownBy(() -> never.nextOpen(at("2026-01-01T00:00:00Z")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'0 0 30 2 *'");
      assertThatThrownBy(() -> never.isOpen(at("2026-01-01T00:00:00Z")))
          .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    @DisplayName("a shorthand, an unknown zone or no duration is refused")
    void malformedWindows() {
      Instant now = at("2026-01-01T00:00:00Z");
      assertThatThrownBy(() -> window("@daily", Duration.ofHours(1), "UTC").nextOpen(now))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'@daily' names no times of day");
      assertThatThrownBy(() -> window("0 0 * * *", Duration.ofHours(1), "Mars/Olympus").isOpen(now))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'Mars/Olympus' is not a time zone");
      assertThatThrownBy(() -> window("0 0 * * *", null, "UTC").isOpen(now))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
