package io.capstan.api.runs;

import java.util.List;

/** The run has no task of that name. Answered 404 with the tasks it has. */
public class TaskNotFoundException extends RuntimeException {
  private final List<String> known;

  public TaskNotFoundException(String id, String task, List<String> known) {
    super("run '" + id + "' has no task '" + task + "'");
    this.known = List.copyOf(known);
  }

  public List<String> known() {
    return known;
  }
}
