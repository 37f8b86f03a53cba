package io.capstan.definitions.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("A window's cron names local dates and times with the syntax a job's schedule takes")
class CronCalendarTest {
  private static final LocalDate MONDAY = LocalDate.of(2026, 1, 5);

  /** The dates of the four weeks from Monday 2026-01-05 that {@code cron} names. */
  private static List<LocalDate> fourWeeks(String cron) {
    CronCalendar calendar = CronCalendar.parse(cron);
    List<LocalDate> dates = new ArrayList<>();
    for (LocalDate date = MONDAY; date.isBefore(MONDAY.plusWeeks(4)); date = date.plusDays(1)) {
      if (calendar.matches(date)) {
        dates.add(date);
      }
    }
    return dates;
  }

  @Test
  @DisplayName("times of day: lists, ranges, steps, and a step from a single value to the end")
  void timesOfDay() {
    assertThat(CronCalendar.parse("15,45 9-17/4 * * *").times())
        .containsExactly(
            LocalTime.of(9, 15),
            LocalTime.of(9, 45),
            LocalTime.of(13, 15),
            LocalTime.of(13, 45),
            LocalTime.of(17, 15),
            LocalTime.of(17, 45));
    assertThat(CronCalendar.parse("*/20 0 * * *").times())
        .containsExactly(LocalTime.of(0, 0), LocalTime.of(0, 20), LocalTime.of(0, 40));
    assertThat(CronCalendar.parse("50/5 22 * * *").times())
        .containsExactly(LocalTime.of(22, 50), LocalTime.of(22, 55));
    assertThat(CronCalendar.parse("* * * * *").times()).hasSize(24 * 60);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0 22 * * MON-FRI", "0 22 * * mon-fri", "0 22 * * 1-5", "0 22 * * Mo-Friday"})
  @DisplayName("day names are read from two letters on, in any case")
  void weekdays(String cron) {
    assertThat(fourWeeks(cron))
        .hasSize(20)
        .extracting(LocalDate::getDayOfWeek)
        .doesNotContain(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 3 * * 0", "0 3 * * 7", "0 3 * * SUN", "0 3 * * 6-7/1"})
  @DisplayName("0 and 7 are both Sunday")
  void sunday(String cron) {
    assertThat(fourWeeks(cron)).extracting(LocalDate::getDayOfWeek).contains(DayOfWeek.SUNDAY);
    assertThat(fourWeeks(cron))
        .extracting(LocalDate::getDayOfWeek)
        .doesNotContain(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
  }

  @Test
  @DisplayName("month names are read from three letters on")
  void months() {
    CronCalendar calendar = CronCalendar.parse("0 0 1 JAN,jul,October *");

    assertThat(calendar.matches(LocalDate.of(2026, 1, 1))).isTrue();
    assertThat(calendar.matches(LocalDate.of(2026, 7, 1))).isTrue();
    assertThat(calendar.matches(LocalDate.of(2026, 10, 1))).isTrue();
    assertThat(calendar.matches(LocalDate.of(2026, 2, 1))).isFalse();
    assertThat(calendar.nextDate(LocalDate.of(2026, 1, 2), LocalDate.of(2027, 1, 1)))
        .isEqualTo(LocalDate.of(2026, 7, 1));
  }

  @Test
  @DisplayName("a day of the month and a day of the week, both restricted, match either")
  void eitherDay() {
    // The 1st and 15th of the month, and every Friday, as crontab(5) reads it.
    assertThat(fourWeeks("0 0 1,15 * FRI"))
        .containsExactly(
            LocalDate.of(2026, 1, 9),
            LocalDate.of(2026, 1, 15),
            LocalDate.of(2026, 1, 16),
            LocalDate.of(2026, 1, 23),
            LocalDate.of(2026, 1, 30),
            LocalDate.of(2026, 2, 1));
  }

  @Test
  @DisplayName("a day field that starts with * leaves the other to decide, or both")
  void bothDays() {
    assertThat(fourWeeks("0 0 * * FRI")).hasSize(4);
    assertThat(fourWeeks("0 0 1,15 * *"))
        .containsExactly(LocalDate.of(2026, 1, 15), LocalDate.of(2026, 2, 1));
    // Odd days of the month that are Mondays: a field starting with * does not widen to "either".
    assertThat(fourWeeks("0 0 */2 * MON"))
        .containsExactly(LocalDate.of(2026, 1, 5), LocalDate.of(2026, 1, 19));
  }

  @Test
  @DisplayName("only five fields naming a date that exists make a calendar")
  void problems() {
    assertThat(CronCalendar.problem("0 22 * * MON-FRI")).isEmpty();
    assertThat(CronCalendar.problem("0 0 29 2 *")).isEmpty();
    assertThat(CronCalendar.problem("0 0 31 * *")).isEmpty();
    assertThat(CronCalendar.problem("0 0 31 APR,JUN *")).get().asString().contains("never matches");
    assertThat(CronCalendar.problem("0 0 30 2 MON")).isEmpty();
    assertThat(CronCalendar.problem("@weekly")).get().asString().contains("names no times of day");
    assertThat(CronCalendar.problem("0 0 * * * *"))
        .contains(
            "'0 0 * * * *' has 6 fields, not 5: write five fields (minute hour day-of-month month"
                + " day-of-week) such as \"0 22 * * MON-FRI\"");
    assertThatThrownBy(() -> CronCalendar.parse("0 0 30 2 *"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("'0 0 30 2 *' never matches");
  }
}
