package io.capstan.activities.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the value of a secret a definition references by name ({@code secretRef}), on the worker
 * that runs the task, so that the value never travels through Temporal.
 *
 * <p>A secret named {@code db-url} is the environment variable {@code CAPSTAN_SECRET_DB_URL}
 * (upper-cased, '-' and '.' become '_') or, failing that, the file {@code <secretsDir>/db-url} —
 * the layout of a Kubernetes Secret mounted as a volume. Trailing line breaks of a file are
 * dropped, as an editor or {@code echo} adds one that is rarely part of the secret.
 */
public final class SecretResolver {
  /** The prefix of the environment variables that hold secrets. */
  public static final String ENV_PREFIX = "CAPSTAN_SECRET_";

  /** Secret names: DNS-label-like, so a name can never climb out of the secrets directory. */
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?");

  private final Map<String, String> env;
  private final Path secretsDir;

  private SecretResolver(Map<String, String> env, Path secretsDir) {
    this.env = Map.copyOf(env);
    this.secretsDir = secretsDir;
  }

  /**
   * Secrets from {@code env} (only its {@code CAPSTAN_SECRET_*} entries are kept) and from the
   * files of {@code secretsDir}, which may be {@code null}.
   */
  public static SecretResolver fromEnvironment(Map<String, String> env, Path secretsDir) {
    Map<String, String> secrets = new java.util.HashMap<>();
    if (env != null) {
      env.forEach(
          (name, value) -> {
            if (name != null && value != null && name.startsWith(ENV_PREFIX)) {
              secrets.put(name, value);
            }
          });
    }
    return new SecretResolver(secrets, secretsDir);
  }

  /** This process's environment, no secrets directory. */
  public static SecretResolver fromProcessEnvironment() {
    return fromEnvironment(System.getenv(), null);
  }

  /** No secrets at all: every reference is missing. */
  public static SecretResolver none() {
    return new SecretResolver(Map.of(), null);
  }

  /** The environment variable that holds secret {@code name}: {@code CAPSTAN_SECRET_DB_URL}. */
  public static String envName(String name) {
    return ENV_PREFIX + name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
  }

  /** The directory secret files are read from; {@code null} when there is none. */
  public Path secretsDir() {
    return secretsDir;
  }

  /**
   * The value of secret {@code name}; empty when neither its variable nor its file exists.
   *
   * @throws IllegalArgumentException when {@code name} is not a valid secret name
   * @throws java.io.UncheckedIOException when the secret's file exists but cannot be read
   */
  public Optional<String> resolve(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("'" + name + "' is not a valid secret name");
    }
    String fromEnv = env.get(envName(name));
    if (fromEnv != null) {
      return Optional.of(fromEnv);
    }
    if (secretsDir == null) {
      return Optional.empty();
    }
    Path file = secretsDir.resolve(name);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(stripLineBreaks(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(
          "cannot read secret '" + name + "' from " + file + ": " + e.getClass().getSimpleName(),
          e);
    }
  }

  /** Where a person should put secret {@code name}, for the failure that says it is missing. */
  public String whereToPut(String name) {
    String where = "set " + envName(name) + " in the worker's environment";
    return secretsDir == null
        ? where + " (or start the worker with --secrets-dir)"
        : where + " or create " + secretsDir.resolve(name);
  }

  private static String stripLineBreaks(String value) {
    int end = value.length();
    while (end > 0 && (value.charAt(end - 1) == '\n' || value.charAt(end - 1) == '\r')) {
      end--;
    }
    return value.substring(0, end);
  }
}
