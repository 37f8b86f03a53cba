package io.capstan.api.schedules;

import io.capstan.api.http.ApiException;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * A job with a schedule was submitted while its schedule exists. Answered 409: one schedule per job
 * definition, so a change means deleting the schedule and submitting again.
 */
public class ScheduleExistsException extends ApiException {
  private final String id;

  public ScheduleExistsException(String id, String owner) {
    super(
        HttpStatus.CONFLICT,
        "schedule '"
            + id
            + "' already exists"
            + (owner == null ? "" : " (for " + owner + ")")
            + ": delete it with DELETE "
            + ScheduleView.SCHEDULES_PATH
            + id
            + " to submit the job anew",
        List.of());
    this.id = id;
  }

  public String id() {
    return id;
  }
}
