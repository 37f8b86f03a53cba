package io.capstan.api.runs;

/**
 * The run refused to retry the task, in its words: the task is not FAILED, for one. Answered 409,
 * because the run's state, not the request, stands in the way.
 */
public class RetryRefusedException extends RuntimeException {
  public RetryRefusedException(String reason) {
    super(reason);
  }
}
