package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The task has no output to fetch: it has not succeeded, or it left none, or the store no longer
 * holds it. Answered 404, with the reason in the details.
 */
public class OutputNotAvailableException extends ApiException {
  public OutputNotAvailableException(String id, String task, String why) {
    super(
        HttpStatus.NOT_FOUND,
        "task '" + task + "' of run '" + id + "' has no output to fetch",
        List.of(ErrorDetail.at("task", why)));
  }
}
