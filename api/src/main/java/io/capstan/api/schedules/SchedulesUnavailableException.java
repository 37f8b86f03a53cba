package io.capstan.api.schedules;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The Temporal server has no Schedules: the embedded Java test server, or a server that answers
 * UNIMPLEMENTED. Answered 422 with what to run instead, and the server it blames.
 */
public class SchedulesUnavailableException extends ApiException {
  public static final String MESSAGE =
      "schedules need a Temporal server with Schedules: run ./capstan up (dev server) or"
          + " --temporal HOST:PORT; the embedded Java test server has none";

  private final String path;

  /**
   * @param path what asked for a schedule: {@code spec.schedule} of a submitted job, or the
   *     schedule id of a route
   */
  public SchedulesUnavailableException(String path) {
    super(HttpStatus.UNPROCESSABLE_CONTENT, MESSAGE, List.of());
    this.path = path;
  }

  public String path() {
    return path;
  }

  /** Names the server at {@link #path()}: the thrower may not know its address, the mapper does. */
  @Override
  public List<ErrorDetail> details(String temporal) {
    return List.of(ErrorDetail.at(path, "Temporal at " + temporal + " has no Schedules"));
  }
}
