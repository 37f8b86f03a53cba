package io.capstan.workflows.pipeline;

import java.util.List;

/**
 * What a {@code retryTask} update did: the task that will run again and every task that went back
 * to PENDING with it (its SKIPPED descendants), in definition order.
 */
public record RetryTaskResult(String task, List<String> reset) {
  public RetryTaskResult {
    reset = reset == null ? List.of() : List.copyOf(reset);
  }
}
