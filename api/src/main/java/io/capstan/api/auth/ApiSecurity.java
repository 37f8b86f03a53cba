package io.capstan.api.auth;

/**
 * How the API checks who calls it.
 *
 * @param enabled whether requests need a bearer token; off, everyone is {@link
 *     Principal#ANONYMOUS}, which {@code capstan up} allows only on a loopback address
 * @param tokens the principals and their token hashes; ignored when not enabled
 * @param submitRate how fast each principal may submit runs ({@code POST /api/v1/runs})
 * @param metricsProtected whether {@code GET /metrics} needs an admin token
 */
public record ApiSecurity(
    boolean enabled, TokenRegistry tokens, SubmitRate submitRate, boolean metricsProtected) {
  public ApiSecurity {
    tokens = tokens == null ? TokenRegistry.empty() : tokens;
    submitRate = submitRate == null ? SubmitRate.DEFAULT : submitRate;
  }

  /** No authentication and no submit limit: what in-process tests of the API run with. */
  public static ApiSecurity disabled() {
    return new ApiSecurity(false, TokenRegistry.empty(), SubmitRate.UNLIMITED, false);
  }

  /** Bearer tokens from {@code tokens}, the default submit rate, {@code /metrics} open. */
  public static ApiSecurity bearer(TokenRegistry tokens) {
    return new ApiSecurity(true, tokens, SubmitRate.DEFAULT, false);
  }

  public ApiSecurity withSubmitRate(SubmitRate rate) {
    return new ApiSecurity(enabled, tokens, rate, metricsProtected);
  }

  public ApiSecurity withMetricsProtected(boolean protect) {
    return new ApiSecurity(enabled, tokens, submitRate, protect);
  }
}
