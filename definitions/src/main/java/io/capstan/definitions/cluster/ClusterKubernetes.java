package io.capstan.definitions.cluster;

/**
 * How Capstan reaches the cluster's Kubernetes API server.
 *
 * @param context the kubeconfig context of the cluster's API server
 */
public record ClusterKubernetes(String context) {}
