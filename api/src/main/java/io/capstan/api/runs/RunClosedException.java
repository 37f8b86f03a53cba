package io.capstan.api.runs;

/** The run has already ended, so it can be neither signalled nor canceled. Answered 409. */
public class RunClosedException extends RuntimeException {
  private final String id;
  private final RunStatus status;

  public RunClosedException(String id, RunStatus status) {
    super("run '" + id + "' has already ended " + status);
    this.id = id;
    this.status = status;
  }

  public String id() {
    return id;
  }

  public RunStatus status() {
    return status;
  }
}
