package io.capstan.workflows.cluster;

/**
 * One thing that happened to a cluster, as the status lists it: creation steps, operations,
 * autoscaler decisions with their reasons, budget alerts, what a failed creation removed.
 *
 * @param at when, ISO-8601 in UTC (workflow time)
 * @param type a stable word: {@code GroupCreated}, {@code NodesReady}, {@code ScaleUp}, ...
 */
public record ClusterEvent(String at, String type, String pool, String message) {}
