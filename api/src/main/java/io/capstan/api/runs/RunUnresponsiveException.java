package io.capstan.api.runs;

/**
 * The run did not answer in time: no worker is polling its task queue, or it is busy. Answered 503,
 * because trying again later may well succeed.
 */
public class RunUnresponsiveException extends RuntimeException {
  public RunUnresponsiveException(String message) {
    super(message);
  }
}
