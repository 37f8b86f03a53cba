package io.capstan.api.runs;

/** No Capstan run has this id (or the id cannot be one). Answered 404. */
public class RunNotFoundException extends RuntimeException {
  private final String id;

  public RunNotFoundException(String id) {
    super("no run with id '" + id + "'");
    this.id = id;
  }

  public String id() {
    return id;
  }
}
