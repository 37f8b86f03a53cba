package io.capstan.api.schedules;

/** No Capstan schedule has this id (or the id cannot be one). Answered 404. */
public class ScheduleNotFoundException extends RuntimeException {
  private final String id;

  public ScheduleNotFoundException(String id) {
    super("no schedule with id '" + id + "'");
    this.id = id;
  }

  public String id() {
    return id;
  }
}
