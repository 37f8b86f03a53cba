package io.capstan.api.schedules;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.runs.RunKind;
import io.capstan.api.runs.RunMetadata;
import io.capstan.api.runs.RunRef;
import io.capstan.definitions.Durations;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.SchedulePolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What Capstan keeps in a schedule's memo, and reads back from it: the job's identity (the same
 * keys as a run's), the schedule's terms as the definition wrote them, and the idempotency key it
 * was created under. A schedule without a Capstan kind in its memo is not Capstan's.
 */
final class ScheduleMemo {
  static final String SCHEDULE = "capstanSchedule";
  static final String IDEMPOTENCY_KEY = "capstanIdempotencyKey";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The memo accessor of either kind of description, as one function of the key. */
  private interface Reader {
    Object read(String key, Class<?> type);
  }

  private final Reader memo;

  private ScheduleMemo(Reader memo) {
    this.memo = memo;
  }

  static ScheduleMemo of(ScheduleDescription description) {
    return new ScheduleMemo(description::getMemo);
  }

  static ScheduleMemo of(ScheduleListDescription listed) {
    return new ScheduleMemo(listed::getMemo);
  }

  /**
   * The memo of a new schedule. The definition text stays out of it: it rides in the action's memo,
   * so each run shows it, which keeps the schedule under Temporal's size limits.
   *
   * @param idempotencyKey null for a plain submit
   */
  static Map<String, Object> write(Metadata metadata, ScheduleSpec spec, String idempotencyKey) {
    Map<String, Object> memo = RunMetadata.memo(RunKind.JOB, metadata, null);
    memo.put(SCHEDULE, termsOf(spec));
    if (idempotencyKey != null) {
      memo.put(IDEMPOTENCY_KEY, idempotencyKey);
    }
    return memo;
  }

  /** Whether Capstan created the schedule: its memo names a Capstan kind. */
  boolean isCapstan() {
    return string(RunRef.MEMO_KIND) != null;
  }

  /** The namespace of the job, or null when the memo has none. */
  String namespace() {
    return string(RunRef.MEMO_NAMESPACE);
  }

  /** {@code job NAMESPACE/NAME}, or null when the memo does not say. */
  String owner() {
    String namespace = namespace();
    String name = string(RunRef.MEMO_NAME);
    return namespace == null || name == null ? null : "job " + namespace + "/" + name;
  }

  /** The idempotency key the schedule was created under, or null. */
  String idempotencyKey() {
    return string(IDEMPOTENCY_KEY);
  }

  Metadata metadata() {
    String name = string(RunRef.MEMO_NAME);
    return new Metadata(name == null ? "" : name, namespace(), Map.of());
  }

  /**
   * The terms from the memo, with the live policy and time zone where Temporal reports them (the
   * stock CLI may have changed them since).
   */
  ScheduleSpec terms(Optional<SchedulePolicy> policy, String timezone) {
    Map<?, ?> terms = map();
    Object cron = terms.get("cron");
    ScheduleOverlap overlap =
        policy
            .flatMap(p -> ScheduleTranslation.overlap(p.getOverlap()))
            .orElseGet(() -> overlap(terms.get("overlap")));
    Duration catchupWindow =
        policy
            .map(SchedulePolicy::getCatchupWindow)
            .filter(d -> !d.isZero())
            .orElseGet(() -> duration(terms.get("catchupWindow")));
    String zone =
        timezone != null && !timezone.isBlank()
            ? timezone
            : terms.get("timezone") instanceof String z ? z : null;
    return new ScheduleSpec(
        cron instanceof String c ? c : null, overlap, catchupWindow, false, zone);
  }

  /** The schedule's terms as a readable memo entry: Temporal gives a cron back only compiled. */
  private static Map<String, Object> termsOf(ScheduleSpec spec) {
    Map<String, Object> terms = new LinkedHashMap<>();
    terms.put("cron", spec.cron());
    terms.put("overlap", JSON.convertValue(spec.overlap(), String.class));
    terms.put("catchupWindow", Durations.format(spec.catchupWindow()));
    terms.put("timezone", spec.timezone());
    return terms;
  }

  private String string(String key) {
    try {
      return memo.read(key, String.class) instanceof String value ? value : null;
    } catch (RuntimeException undecodable) {
      return null;
    }
  }

  private Map<?, ?> map() {
    try {
      return memo.read(SCHEDULE, Map.class) instanceof Map<?, ?> map ? map : Map.of();
    } catch (RuntimeException undecodable) {
      return Map.of();
    }
  }

  private static ScheduleOverlap overlap(Object value) {
    try {
      return value == null ? null : JSON.convertValue(value, ScheduleOverlap.class);
    } catch (IllegalArgumentException unknown) {
      return null;
    }
  }

  private static Duration duration(Object value) {
    try {
      return value instanceof String text ? Durations.parse(text) : null;
    } catch (IllegalArgumentException unreadable) {
      return null;
    }
  }
}
