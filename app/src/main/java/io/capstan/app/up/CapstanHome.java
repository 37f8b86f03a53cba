package io.capstan.app.up;

import java.nio.file.Path;

/**
 * The folder Capstan keeps its local files under: the checkout {@code ./capstan} runs from (the
 * script passes it as {@code -Dcapstan.home}), else the working directory. Below it, {@code
 * .capstan/tools/bin} holds the pinned Temporal CLI and {@code .capstan/state} the dev server's
 * SQLite file and log.
 */
public final class CapstanHome {
  /** The system property the launcher script sets. */
  public static final String PROPERTY = "capstan.home";

  private CapstanHome() {}

  /** The home folder, absolute. */
  public static Path dir() {
    String configured = System.getProperty(PROPERTY);
    Path dir = configured == null || configured.isBlank() ? Path.of("") : Path.of(configured);
    return dir.toAbsolutePath().normalize();
  }

  /** Where the dev server keeps its state unless {@code --state-dir} says otherwise. */
  public static Path defaultStateDir(Path home) {
    return home.resolve(".capstan").resolve("state");
  }

  /** Where {@code scripts/install-temporal-cli.sh} puts the Temporal CLI. */
  public static Path toolsTemporal(Path home) {
    return home.resolve(".capstan").resolve("tools").resolve("bin").resolve("temporal");
  }
}
