package io.capstan.api;

import java.time.Instant;

/**
 * The simulated cloud of {@code provider: simulated} clusters, as {@code GET /api/v1/info} and
 * {@code ./capstan up} report it.
 *
 * @param mode {@code local} (the moto {@code up} starts) or {@code none}
 * @param state {@code installing}, {@code starting}, {@code ready}, {@code failed} or {@code
 *     disabled}
 * @param detail what it is doing or why it failed; null when ready
 * @param endpoint the endpoint AWS SDK clients use, once known
 * @param region the region of its clients
 * @param since when it entered {@code state}
 */
public record AwsInfo(
    String mode, String state, String detail, String endpoint, String region, Instant since) {
  public static AwsInfo disabled(String why) {
    return new AwsInfo("none", KubernetesInfo.DISABLED, why, null, null, Instant.now());
  }
}
