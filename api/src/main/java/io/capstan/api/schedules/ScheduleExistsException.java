package io.capstan.api.schedules;

/**
 * A job with a schedule was submitted while its schedule exists. Answered 409: one schedule per job
 * definition, so a change means deleting the schedule and submitting again.
 */
public class ScheduleExistsException extends RuntimeException {
  private final String id;

  public ScheduleExistsException(String id, String owner) {
    super(
        "schedule '"
            + id
            + "' already exists"
            + (owner == null ? "" : " (for " + owner + ")")
            + ": delete it with DELETE "
            + ScheduleView.SCHEDULES_PATH
            + id
            + " to submit the job anew");
    this.id = id;
  }

  public String id() {
    return id;
  }
}
