package io.capstan.workflows.cluster;

import com.uber.m3.tally.Buckets;
import com.uber.m3.tally.Capabilities;
import com.uber.m3.tally.CapableOf;
import com.uber.m3.tally.StatsReporter;
import com.uber.m3.util.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects the counters, gauges and timer samples a Temporal metrics scope reports, keyed by name
 * and tags.
 */
public final class CountingReporter implements StatsReporter {
  public final Map<String, Long> counters = new ConcurrentHashMap<>();
  public final Map<String, Double> gauges = new ConcurrentHashMap<>();

  /** How many samples each timer recorded. */
  public final Map<String, Long> timers = new ConcurrentHashMap<>();

  static String key(String name, Map<String, String> tags) {
    return name + new java.util.TreeMap<>(tags);
  }

  @Override
  public void reportCounter(String name, Map<String, String> tags, long value) {
    counters.merge(key(name, tags), value, Long::sum);
  }

  @Override
  public void reportGauge(String name, Map<String, String> tags, double value) {
    gauges.put(key(name, tags), value);
  }

  @Override
  public void reportTimer(String name, Map<String, String> tags, Duration interval) {
    timers.merge(key(name, tags), 1L, Long::sum);
  }

  @Override
  public void reportHistogramValueSamples(
      String name,
      Map<String, String> tags,
      Buckets buckets,
      double bucketLowerBound,
      double bucketUpperBound,
      long samples) {}

  @Override
  public void reportHistogramDurationSamples(
      String name,
      Map<String, String> tags,
      Buckets buckets,
      Duration bucketLowerBound,
      Duration bucketUpperBound,
      long samples) {}

  @Override
  public Capabilities capabilities() {
    return CapableOf.REPORTING_TAGGING;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}
}
