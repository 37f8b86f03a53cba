package io.capstan.app.up;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the {@code temporal} binary the dev server runs from, in the documented order: {@code
 * --temporal-cli PATH}, then the {@code CAPSTAN_TEMPORAL_CLI} environment variable, then the
 * project's tools folder ({@code <home>/.capstan/tools/bin/temporal}, where {@code
 * scripts/install-temporal-cli.sh} puts the pinned CLI), then {@code temporal} on the {@code PATH}.
 */
public final class TemporalCli {
  /** The environment variable naming a {@code temporal} binary. */
  public static final String ENV = "CAPSTAN_TEMPORAL_CLI";

  /** The CLI version the install script pins. */
  public static final String PINNED_VERSION = "v1.5.1";

  /** What installs the pinned CLI, relative to the checkout. */
  public static final String INSTALL_SCRIPT = "scripts/install-temporal-cli.sh";

  /**
   * A binary and where it was found.
   *
   * @param binary the executable, absolute
   * @param source {@code --temporal-cli}, {@code CAPSTAN_TEMPORAL_CLI}, {@code tools folder} or
   *     {@code PATH}
   */
  public record Found(Path binary, String source) {
    /** Whether a person can type plain {@code temporal} in a shell to run this binary. */
    public boolean onPath() {
      return source.equals("PATH");
    }
  }

  private TemporalCli() {}

  /**
   * The first binary in the documented order.
   *
   * @param explicit the {@code --temporal-cli} flag, or null
   * @param env the process environment ({@code CAPSTAN_TEMPORAL_CLI}, {@code PATH})
   * @param home the Capstan home folder
   * @return the binary, or empty when there is none anywhere
   * @throws IllegalArgumentException when the flag or the variable names something that is not an
   *     executable file: a person asked for that binary, so another one must not stand in for it
   */
  public static Optional<Found> locate(Path explicit, Map<String, String> env, Path home) {
    if (explicit != null) {
      return Optional.of(
          new Found(requireExecutable(explicit, "--temporal-cli"), "--temporal-cli"));
    }
    String fromEnv = env.get(ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Optional.of(new Found(requireExecutable(Path.of(fromEnv), ENV), ENV));
    }
    Path tools = CapstanHome.toolsTemporal(home);
    if (executable(tools)) {
      return Optional.of(new Found(tools.toAbsolutePath().normalize(), "tools folder"));
    }
    String path = env.get("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (dir.isBlank()) {
          continue;
        }
        Path candidate = Path.of(dir, "temporal");
        if (executable(candidate)) {
          return Optional.of(new Found(candidate.toAbsolutePath().normalize(), "PATH"));
        }
      }
    }
    return Optional.empty();
  }

  /** The binary for this process: its environment and {@link CapstanHome#dir()}. */
  public static Optional<Found> locate(Path explicit) {
    return locate(explicit, System.getenv(), CapstanHome.dir());
  }

  /** Where {@link #locate} looked, for a message saying that nothing was found. */
  public static String searched(Path home) {
    return "--temporal-cli, $"
        + ENV
        + ", "
        + CapstanHome.toolsTemporal(home)
        + " and temporal on the PATH";
  }

  private static Path requireExecutable(Path binary, String origin) {
    if (!executable(binary)) {
      throw new IllegalArgumentException(
          origin + " names " + binary + ", which is not an executable file");
    }
    return binary.toAbsolutePath().normalize();
  }

  private static boolean executable(Path file) {
    return Files.isRegularFile(file) && Files.isExecutable(file);
  }
}
