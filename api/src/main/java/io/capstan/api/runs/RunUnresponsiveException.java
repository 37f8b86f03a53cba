package io.capstan.api.runs;

import io.capstan.api.http.ApiException;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The run did not answer in time: no worker is polling its task queue, or it is busy. Answered 503,
 * because trying again later may well succeed.
 */
public class RunUnresponsiveException extends ApiException {
  public RunUnresponsiveException(String message) {
    super(HttpStatus.SERVICE_UNAVAILABLE, message, List.of());
  }
}
