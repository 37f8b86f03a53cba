package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/** The run has no task of that name. Answered 404 with the tasks it has. */
public class TaskNotFoundException extends ApiException {
  /** How many of the run's tasks the answer names; a large run's list would bury the point. */
  static final int SHOWN = 20;

  private final List<String> known;

  public TaskNotFoundException(String id, String task, List<String> known) {
    super(
        HttpStatus.NOT_FOUND,
        "run '" + id + "' has no task '" + task + "'",
        List.of(ErrorDetail.at("task", "its tasks: " + shortList(known))));
    this.known = List.copyOf(known);
  }

  public List<String> known() {
    return known;
  }

  private static String shortList(List<String> names) {
    return names.size() <= SHOWN
        ? String.join(", ", names)
        : String.join(", ", names.subList(0, SHOWN)) + " and " + (names.size() - SHOWN) + " more";
  }
}
