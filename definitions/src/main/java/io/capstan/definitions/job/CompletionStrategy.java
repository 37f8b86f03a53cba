package io.capstan.definitions.job;

/** When a job with several completions is done: all of them succeeded, or any one did. */
public enum CompletionStrategy {
  AllSuccessful,
  AnySuccessful
}
