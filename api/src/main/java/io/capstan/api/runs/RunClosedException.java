package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.javalin.http.HttpStatus;
import java.util.List;

/** The run has already ended, so it can be neither signalled nor canceled. Answered 409. */
public class RunClosedException extends ApiException {
  private final String id;
  private final RunStatus status;

  public RunClosedException(String id, RunStatus status) {
    super(HttpStatus.CONFLICT, "run '" + id + "' has already ended " + status, List.of());
    this.id = id;
    this.status = status;
  }

  public String id() {
    return id;
  }

  public RunStatus runStatus() {
    return status;
  }
}
