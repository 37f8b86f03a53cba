package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/** No Capstan run has this id (or the id cannot be one). Answered 404. */
public class RunNotFoundException extends ApiException {
  private final String id;

  public RunNotFoundException(String id) {
    super(
        HttpStatus.NOT_FOUND,
        "no run with id '" + id + "'",
        List.of(ErrorDetail.at("id", "list runs with GET /api/v1/runs")));
    this.id = id;
  }

  public String id() {
    return id;
  }
}
