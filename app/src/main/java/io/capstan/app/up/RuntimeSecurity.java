package io.capstan.app.up;

import io.capstan.activities.task.SecretResolver;
import io.capstan.activities.task.ShellPolicy;
import io.capstan.api.auth.ApiSecurity;
import io.capstan.api.auth.InvalidTokensException;
import io.capstan.api.auth.Principal;
import io.capstan.api.auth.TokenRegistry;
import io.capstan.codec.AesGcmPayloadCodec;
import io.capstan.codec.CapstanCodec;
import io.capstan.workers.WorkerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The security a {@code capstan up} process runs with, worked out from its {@link SecurityOptions}
 * and environment before anything starts, so a configuration that would be unsafe or unusable stops
 * the process with a message saying what to change.
 *
 * <p>Authentication is on when tokens are configured, unless {@code --auth off}; off is allowed
 * only when the API listens on a loopback address. Payloads are encrypted when {@code
 * CAPSTAN_CODEC_KEYS} is set; worker and API then share the codec through one data converter.
 *
 * @param api what the API checks
 * @param tokensSource where the tokens came from, for the banner; null when authentication is off
 * @param codec the payload codec, or empty when payloads are plaintext
 * @param shellPolicy the shell allow-list, or null for every command
 * @param shellPolicyFile the file it came from, or null
 * @param secrets where {@code secretRef}s are resolved
 */
public record RuntimeSecurity(
    ApiSecurity api,
    String tokensSource,
    Optional<AesGcmPayloadCodec> codec,
    ShellPolicy shellPolicy,
    Path shellPolicyFile,
    SecretResolver secrets) {

  static final String AUTH_OFF =
      "AUTH IS OFF: anyone on this machine can use the API (--auth-file FILE turns it on)";

  private static final String HOW_TO_GIVE_TOKENS =
      "give tokens with --auth-file FILE, or set "
          + TokenRegistry.AUTH_FILE_ENV
          + " or "
          + TokenRegistry.TOKENS_ENV
          + " (`capstan token hash` prints a token's sha256)";

  /**
   * @throws CapstanRuntime.StartupException when the API would listen beyond this machine without
   *     authentication, {@code --auth on} has no tokens, or a tokens file, codec key, shell policy
   *     or secrets folder is unusable
   */
  public static RuntimeSecurity resolve(
      SecurityOptions options, String bind, Map<String, String> env) {
    Optional<TokenRegistry> tokens;
    try {
      tokens = TokenRegistry.configured(options.authFile(), env);
    } catch (InvalidTokensException e) {
      throw new CapstanRuntime.StartupException(e.getMessage(), e);
    }
    boolean authOn =
        switch (options.auth()) {
          case ON -> {
            if (tokens.isEmpty()) {
              throw new CapstanRuntime.StartupException(
                  "--auth on needs tokens: " + HOW_TO_GIVE_TOKENS, null);
            }
            yield true;
          }
          case OFF -> false;
          case AUTO -> tokens.isPresent();
        };
    if (!authOn && !isLoopback(bind)) {
      throw new CapstanRuntime.StartupException(
          (options.auth() == AuthMode.OFF
                  ? "--auth off is allowed only on a loopback address, and the API would listen on "
                  : "refusing to serve the API on ")
              + bind
              + " without authentication: anyone who can reach that address could run commands"
              + " on this machine. "
              + capitalized(HOW_TO_GIVE_TOKENS)
              + ", or keep the API on this machine with --bind 127.0.0.1",
          null);
    }
    ApiSecurity api =
        new ApiSecurity(
            authOn,
            authOn ? tokens.get() : TokenRegistry.empty(),
            options.submitRate(),
            options.metricsAuth());
    String source = authOn ? tokensSource(options.authFile(), env) : null;

    Optional<AesGcmPayloadCodec> codec;
    try {
      codec = CapstanCodec.fromEnvironment(env);
    } catch (IllegalArgumentException e) {
      throw new CapstanRuntime.StartupException("payload encryption: " + e.getMessage(), e);
    }

    ShellPolicy policy = null;
    if (options.shellPolicy() != null) {
      try {
        policy = ShellPolicy.load(options.shellPolicy());
      } catch (IllegalArgumentException e) {
        throw new CapstanRuntime.StartupException(e.getMessage(), e);
      }
    }
    Path secretsDir = options.secretsDir();
    if (secretsDir != null && !Files.isDirectory(secretsDir)) {
      throw new CapstanRuntime.StartupException(
          "--secrets-dir "
              + secretsDir
              + " is not a folder: name the folder holding one file per"
              + " secret (a Kubernetes Secret mounted as a volume has this layout)",
          null);
    }
    return new RuntimeSecurity(
        api,
        source,
        codec,
        policy,
        options.shellPolicy(),
        SecretResolver.fromEnvironment(env, secretsDir));
  }

  /** Whether {@code bind} is an address only this machine can reach. */
  static boolean isLoopback(String bind) {
    String host = bind.trim();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException unknown) {
      return false;
    }
  }

  /** The banner's line about authentication. */
  public String authLine() {
    if (!api.enabled()) {
      return AUTH_OFF;
    }
    return "bearer tokens for "
        + api.tokens().size()
        + (api.tokens().size() == 1 ? " principal (" : " principals (")
        + api.tokens().principals().stream().map(Principal::name).collect(Collectors.joining(", "))
        + ") from "
        + tokensSource
        + "; submits "
        + api.submitRate()
        + " each; /metrics "
        + (api.metricsProtected() ? "admin only" : "open");
  }

  /** The banner's line about payloads in Temporal. */
  public String payloadLine() {
    return codec
        .map(
            c ->
                "encrypted in Temporal (AES-256-GCM, key "
                    + c.activeKeyId()
                    + (c.keyIds().size() > 1 ? "; decrypts " + String.join(", ", c.keyIds()) : "")
                    + ")")
        .orElse(
            "NOT encrypted: plaintext in Temporal's history (set "
                + CapstanCodec.KEYS_ENV
                + " to encrypt them)");
  }

  private static String tokensSource(Path file, Map<String, String> env) {
    String fileEnv = env.get(TokenRegistry.AUTH_FILE_ENV);
    String fromFile =
        file != null
            ? file.toString()
            : fileEnv != null && !fileEnv.isBlank() ? fileEnv.trim() : null;
    String spec = env.get(TokenRegistry.TOKENS_ENV);
    boolean fromSpec = spec != null && !spec.isBlank();
    if (fromFile != null && fromSpec) {
      return fromFile + " and $" + TokenRegistry.TOKENS_ENV;
    }
    return fromFile != null ? fromFile : "$" + TokenRegistry.TOKENS_ENV;
  }

  private static String capitalized(String text) {
    return text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
  }

  /** {@code worker} with the secrets and, where one is configured, the shell policy of these. */
  public WorkerSettings applyTo(WorkerSettings worker) {
    WorkerSettings secured = worker.withSecrets(secrets);
    return shellPolicy == null ? secured : secured.withShellPolicy(shellPolicy);
  }
}
