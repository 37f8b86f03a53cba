package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The run refused to retry the task, in its words: the task is not FAILED, for one. Answered 409,
 * because the run's state, not the request, stands in the way.
 */
public class RetryRefusedException extends ApiException {
  public RetryRefusedException(String reason) {
    super(HttpStatus.CONFLICT, reason, List.of());
  }
}
