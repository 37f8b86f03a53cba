package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The task attempt has no log to show: it has not ended yet, it never started, or its executor
 * keeps none ({@code simulate}). Answered 404, with the reason in the details.
 */
public class LogNotAvailableException extends ApiException {
  public LogNotAvailableException(String id, String task, String why) {
    super(
        HttpStatus.NOT_FOUND,
        "task '" + task + "' of run '" + id + "' has no log to show",
        List.of(ErrorDetail.at("task", why)));
  }
}
