package io.capstan.definitions.job;

/** How many successful completions a job needs and how many may run at once. */
public record JobParallelism(
    Integer completions, Integer maxConcurrent, CompletionStrategy completionStrategy) {
  public static final JobParallelism SINGLE = new JobParallelism(1, 1, null);

  public JobParallelism {
    completions = completions == null ? 1 : completions;
    maxConcurrent = maxConcurrent == null ? completions : maxConcurrent;
    completionStrategy =
        completionStrategy == null ? CompletionStrategy.AllSuccessful : completionStrategy;
  }
}
