package io.capstan.workflows.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.capstan.definitions.cluster.BudgetAlert;
import io.capstan.definitions.cluster.BudgetSpec;
import io.capstan.definitions.cluster.OnBudget;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Cost and budget")
class CostMeterTest {
  static long at(String instant) {
    return Instant.parse(instant).toEpochMilli();
  }

  @Test
  @DisplayName("charges instance-hours at the pool's price and counts GPU-seconds")
  void chargesInstanceHours() {
    CostMeter meter = new CostMeter(at("2026-12-07T00:00:00Z"));

    meter.advance(at("2026-12-07T02:00:00Z"), Map.of("gpu", new CostMeter.Rate(2, 10.0, 8)));

    assertThat(meter.total()).isCloseTo(40.0, within(1e-9));
    assertThat(meter.pools().get("gpu").gpuSeconds()).isCloseTo(2 * 8 * 7200, within(1e-6));
  }

  @Test
  @DisplayName("splits a charge at the turn of the month and projects the month from its rate")
  void splitsAtTheMonth() {
    CostMeter meter = new CostMeter(at("2026-11-30T23:00:00Z"));
    Map<String, CostMeter.Rate> rates = Map.of("general", new CostMeter.Rate(1, 1.0, 0));

    meter.advance(at("2026-12-01T01:00:00Z"), rates);

    assertThat(meter.month()).isEqualTo("2026-12");
    assertThat(meter.monthToDate()).isCloseTo(1.0, within(1e-9));
    assertThat(meter.total()).isCloseTo(2.0, within(1e-9));
    // December has 744 hours; one is spent.
    assertThat(meter.projectedMonthly(rates)).isCloseTo(744.0, within(1e-9));
  }

  @Test
  @DisplayName("raises each threshold once a month, and again the next month")
  void raisesOnce() {
    BudgetSpec budget =
        new BudgetSpec(
            new BigDecimal("100"),
            List.of(new BudgetAlert(80, null), new BudgetAlert(100, null)),
            OnBudget.ALERT);
    BudgetWatch watch = new BudgetWatch();

    assertThat(watch.check(budget, "2026-12", 50)).isEmpty();
    assertThat(watch.check(budget, "2026-12", 85))
        .extracting(c -> c.alert().thresholdPercent())
        .containsExactly(80);
    assertThat(watch.check(budget, "2026-12", 70)).isEmpty();
    assertThat(watch.check(budget, "2026-12", 90)).isEmpty();
    assertThat(watch.check(budget, "2026-12", 120))
        .extracting(c -> c.alert().thresholdPercent())
        .containsExactly(100);
    assertThat(BudgetWatch.restore(watch.snapshot()).check(budget, "2026-12", 130)).isEmpty();
    assertThat(watch.check(budget, "2027-01", 90))
        .extracting(c -> c.alert().thresholdPercent())
        .containsExactly(80);
  }
}
