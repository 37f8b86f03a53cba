package io.capstan.app.worker;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The flags that say what the tasks role may do on this machine, shared by {@code capstan up} and
 * {@code capstan worker} (a picocli mixin), so both read them the same way.
 */
public final class TaskFlags {
  @Option(
      names = "--shell",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run shell tasks as processes on this machine, as the user running Capstan (default:"
              + " on; --no-shell refuses them and stops advertising shell).")
  boolean shell;

  @Option(
      names = "--shell-policy",
      paramLabel = "FILE",
      description =
          "YAML allow-list of shell commands per namespace: allow: {\"*\": [echo], team-a: [sh,"
              + " python3]} (default: every command).")
  Path shellPolicy;

  @Option(
      names = "--secrets-dir",
      paramLabel = "DIR",
      description =
          "A folder with one file per secret a definition's secretRef may name (a mounted"
              + " Kubernetes Secret); $CAPSTAN_SECRET_<NAME> variables are read too.")
  Path secretsDir;

  public boolean shell() {
    return shell;
  }

  /** The shell allow-list file, or null for every command. */
  public Path shellPolicy() {
    return shellPolicy;
  }

  /** The secrets folder, or null for environment variables only. */
  public Path secretsDir() {
    return secretsDir;
  }
}
