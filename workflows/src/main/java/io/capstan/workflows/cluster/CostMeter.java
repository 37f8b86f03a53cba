package io.capstan.workflows.cluster;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a cluster has cost, accumulated per pool from the instances it ran: instance-hours at the
 * type's on-demand or spot price, and GPU-seconds. Time comes from the caller (workflow time), so
 * the meter replays the same. The month's projection is what the month has cost so far plus the
 * current hourly rate until the month ends (UTC), which is what a budget alert compares.
 */
public final class CostMeter {
  /**
   * What a pool is running now.
   *
   * @param instances instances being paid for
   * @param hourly the price of one per hour
   * @param gpusEach GPUs on each
   */
  public record Rate(int instances, double hourly, int gpusEach) {
    double perHour() {
      return instances * hourly;
    }
  }

  /** One pool's totals. */
  public record PoolCost(double dollars, double instanceHours, double gpuSeconds) {}

  /** The meter as the workflow carries it across continue-as-new. */
  public record Snapshot(
      long lastMillis, String month, double monthToDate, Map<String, PoolCost> pools) {}

  private long lastMillis;
  private String month;
  private double monthToDate;
  private final Map<String, PoolCost> pools = new LinkedHashMap<>();

  public CostMeter(long startMillis) {
    this.lastMillis = startMillis;
    this.month = monthOf(startMillis);
  }

  public static CostMeter restore(Snapshot snapshot) {
    CostMeter meter = new CostMeter(snapshot.lastMillis());
    meter.month = snapshot.month();
    meter.monthToDate = snapshot.monthToDate();
    meter.pools.putAll(snapshot.pools());
    return meter;
  }

  public Snapshot snapshot() {
    return new Snapshot(lastMillis, month, monthToDate, new LinkedHashMap<>(pools));
  }

  /**
   * Charges the time since the last call at {@code rates} (what ran during it), splitting at the
   * turn of a month so that each month gets its own share.
   */
  public void advance(long nowMillis, Map<String, Rate> rates) {
    while (nowMillis > lastMillis) {
      long monthEnd = startOfNextMonth(lastMillis);
      long until = Math.min(nowMillis, monthEnd);
      double hours = (until - lastMillis) / 3_600_000.0;
      for (Map.Entry<String, Rate> entry : rates.entrySet()) {
        Rate rate = entry.getValue();
        double dollars = rate.perHour() * hours;
        PoolCost was = pools.getOrDefault(entry.getKey(), new PoolCost(0, 0, 0));
        pools.put(
            entry.getKey(),
            new PoolCost(
                was.dollars() + dollars,
                was.instanceHours() + rate.instances() * hours,
                was.gpuSeconds() + (double) rate.instances() * rate.gpusEach() * hours * 3600));
        monthToDate += dollars;
      }
      lastMillis = until;
      if (until == monthEnd) {
        month = monthOf(until);
        monthToDate = 0;
      }
    }
  }

  /** Dollars per hour at {@code rates}. */
  public static double hourlyRate(Map<String, Rate> rates) {
    return rates.values().stream().mapToDouble(Rate::perHour).sum();
  }

  /** The month so far plus {@code rates} until the month ends. */
  public double projectedMonthly(Map<String, Rate> rates) {
    double hoursLeft = (startOfNextMonth(lastMillis) - lastMillis) / 3_600_000.0;
    return monthToDate + hourlyRate(rates) * hoursLeft;
  }

  public double total() {
    return pools.values().stream().mapToDouble(PoolCost::dollars).sum();
  }

  public Map<String, PoolCost> pools() {
    return new LinkedHashMap<>(pools);
  }

  /** The month being charged, as {@code 2026-12}. */
  public String month() {
    return month;
  }

  public double monthToDate() {
    return monthToDate;
  }

  static String monthOf(long millis) {
    return YearMonth.from(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC)).toString();
  }

  static long startOfNextMonth(long millis) {
    ZonedDateTime at = Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC);
    return YearMonth.from(at)
        .plusMonths(1)
        .atDay(1)
        .atStartOfDay(ZoneOffset.UTC)
        .toInstant()
        .toEpochMilli();
  }
}
