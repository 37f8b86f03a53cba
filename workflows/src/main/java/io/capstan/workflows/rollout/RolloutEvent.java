package io.capstan.workflows.rollout;

/**
 * One step of a rollout, for the status (the latest ones) and its history.
 *
 * @param node the node it concerns; null for the whole rollout
 */
public record RolloutEvent(String at, String type, String node, String message) {}
