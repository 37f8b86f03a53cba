package io.capstan.api;

import java.time.Instant;

/**
 * The Kubernetes cluster that {@code container} tasks run on, as {@code GET /api/v1/info} and
 * {@code ./capstan up} report it.
 *
 * @param mode {@code local} (the control plane {@code up} starts, with simulated kwok nodes),
 *     {@code kubeconfig} (a cluster named by a kubeconfig), {@code in-cluster}, or {@code none}
 * @param state {@code installing}, {@code starting}, {@code ready}, {@code failed} or {@code
 *     disabled}
 * @param detail what it is doing or why it failed, e.g. the install's latest progress line; null
 *     when ready
 * @param apiServer the API server's address once known, else null
 * @param kubeconfig the kubeconfig to use with {@code kubectl --kubeconfig}, else null
 * @param since when it entered {@code state}
 */
public record KubernetesInfo(
    String mode, String state, String detail, String apiServer, String kubeconfig, Instant since) {
  public static final String INSTALLING = "installing";
  public static final String STARTING = "starting";
  public static final String READY = "ready";
  public static final String FAILED = "failed";
  public static final String DISABLED = "disabled";

  /** No cluster: {@code --no-local-infra}, or a process that runs no container executor. */
  public static KubernetesInfo disabled(String why) {
    return new KubernetesInfo("none", DISABLED, why, null, null, Instant.now());
  }

  /** Whether {@code container} tasks will run once their worker polls: it is, or will be, up. */
  public boolean coming() {
    return INSTALLING.equals(state) || STARTING.equals(state);
  }
}
