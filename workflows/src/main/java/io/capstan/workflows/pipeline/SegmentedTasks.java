package io.capstan.workflows.pipeline;

/**
 * A pipeline's tasks kept in the output store instead of in the run's input: a run with more tasks
 * than one segment holds starts with its definition stored under {@code definitions/SHA256} (the
 * API puts it there) and its input carries only this reference, so no workflow input, carry or
 * result grows with the number of tasks.
 *
 * @param key the store key of the whole definition, JSON as Temporal's data converter writes it
 * @param sha256 the definition's digest, checked whenever it is read back
 * @param tasks how many tasks the definition has
 * @param segmentTasks the most tasks one segment holds
 */
public record SegmentedTasks(String key, String sha256, int tasks, int segmentTasks) {}
