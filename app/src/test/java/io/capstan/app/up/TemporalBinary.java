package io.capstan.app.up;

import java.nio.file.Path;

/**
 * The {@code temporal} binary the dev-server tests run: the one {@code ./capstan up} would find
 * from this checkout. Its absence fails the test that needs it, since skipping would hide that the
 * dev server, Capstan's default, went untested.
 */
final class TemporalBinary {
  private TemporalBinary() {}

  /** The checkout: Surefire and Failsafe run in the module's folder. */
  static Path checkout() {
    return Path.of("..").toAbsolutePath().normalize();
  }

  static Path require() {
    return TemporalCli.locate(null, System.getenv(), checkout())
        .map(TemporalCli.Found::binary)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no temporal binary (looked at "
                        + TemporalCli.searched(checkout())
                        + "): run ./test.sh (it installs the Temporal CLI)"));
  }
}
