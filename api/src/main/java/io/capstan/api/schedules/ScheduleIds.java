package io.capstan.api.schedules;

import io.capstan.api.runs.RunIds;
import java.util.regex.Pattern;

/**
 * A scheduled job's schedule id, {@code schedule-<namespace>-<name>}: one schedule per job
 * definition, so submitting the same job again is a conflict, not a second schedule. Temporal names
 * each run it starts after the schedule, with the time it was due appended.
 */
public final class ScheduleIds {
  static final String PREFIX = "schedule-";
  private static final int MAX_LENGTH = 200;
  private static final Pattern SHAPE = Pattern.compile("schedule-[a-z0-9][a-z0-9-]*");

  private ScheduleIds() {}

  public static String of(String namespace, String name) {
    return PREFIX + RunIds.segment(namespace) + "-" + RunIds.segment(name);
  }

  /** Whether {@code id} has the shape of a schedule id; anything else cannot name a schedule. */
  public static boolean isWellFormed(String id) {
    return id != null && id.length() <= MAX_LENGTH && SHAPE.matcher(id).matches();
  }
}
