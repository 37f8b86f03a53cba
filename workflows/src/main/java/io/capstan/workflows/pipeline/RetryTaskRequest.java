package io.capstan.workflows.pipeline;

import java.util.Map;

/**
 * The argument of the {@code retryTask} update: which failed task to run again, and params that
 * override the run's from then on (null or empty: none).
 */
public record RetryTaskRequest(String task, Map<String, String> params) {
  /** The update's name, as the stock CLI and the API call it. */
  public static final String UPDATE = "retryTask";

  public RetryTaskRequest {
    params = params == null ? Map.of() : Map.copyOf(params);
  }
}
