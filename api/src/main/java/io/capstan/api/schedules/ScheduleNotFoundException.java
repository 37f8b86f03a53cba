package io.capstan.api.schedules;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/** No Capstan schedule has this id (or the id cannot be one). Answered 404. */
public class ScheduleNotFoundException extends ApiException {
  private final String id;

  public ScheduleNotFoundException(String id) {
    super(
        HttpStatus.NOT_FOUND,
        "no schedule with id '" + id + "'",
        List.of(ErrorDetail.at("id", "list schedules with GET /api/v1/schedules")));
    this.id = id;
  }

  public String id() {
    return id;
  }
}
