package io.capstan.api.schedules;

/**
 * The Temporal server has no Schedules: the embedded Java test server, or a server that answers
 * UNIMPLEMENTED. Answered 422 with what to run instead.
 */
public class SchedulesUnavailableException extends RuntimeException {
  public static final String MESSAGE =
      "schedules need a Temporal server with Schedules: run ./capstan up (dev server) or"
          + " --temporal HOST:PORT; the embedded Java test server has none";

  private final String path;

  /**
   * @param path what asked for a schedule: {@code spec.schedule} of a submitted job, or the
   *     schedule id of a route
   */
  public SchedulesUnavailableException(String path) {
    super(MESSAGE);
    this.path = path;
  }

  public String path() {
    return path;
  }
}
