package io.capstan.app.up;

import io.capstan.api.auth.SubmitRate;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code capstan up} protects and how: the API's authentication, its submit rate and {@code
 * /metrics}, the codec endpoint's browser origins, and what tasks may do on the worker.
 *
 * @param auth whether the API asks for bearer tokens
 * @param authFile the tokens file ({@code --auth-file}); null to read {@code CAPSTAN_AUTH_FILE} and
 *     {@code CAPSTAN_TOKENS} only
 * @param submitRate how fast each principal may submit runs
 * @param metricsAuth whether {@code /metrics} needs an admin token
 * @param codecOrigins browser origins allowed to call {@code /codec}; empty for the Web UI's
 * @param shellPolicy the shell allow-list file ({@code --shell-policy}); null for every command
 * @param secretsDir a folder with one file per secret ({@code --secrets-dir}); null for none
 */
public record SecurityOptions(
    AuthMode auth,
    Path authFile,
    SubmitRate submitRate,
    boolean metricsAuth,
    List<String> codecOrigins,
    Path shellPolicy,
    Path secretsDir) {
  public SecurityOptions {
    auth = auth == null ? AuthMode.AUTO : auth;
    submitRate = submitRate == null ? SubmitRate.DEFAULT : submitRate;
    codecOrigins = codecOrigins == null ? List.of() : List.copyOf(codecOrigins);
  }

  /**
   * Authentication when tokens are configured in the environment, else off (on a loopback address
   * only); the default submit rate; {@code /metrics} open; every shell command; secrets from the
   * environment.
   */
  public static SecurityOptions defaults() {
    return new SecurityOptions(
        AuthMode.AUTO, null, SubmitRate.DEFAULT, false, List.of(), null, null);
  }

  public SecurityOptions withAuth(AuthMode mode, Path file) {
    return new SecurityOptions(
        mode, file, submitRate, metricsAuth, codecOrigins, shellPolicy, secretsDir);
  }

  /** These options with the worker's files: the shell allow-list and the secrets folder. */
  public SecurityOptions withWorkerFiles(Path shellPolicyFile, Path secretsFolder) {
    return new SecurityOptions(
        auth, authFile, submitRate, metricsAuth, codecOrigins, shellPolicyFile, secretsFolder);
  }
}
