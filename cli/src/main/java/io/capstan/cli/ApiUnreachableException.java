package io.capstan.cli;

/**
 * Nothing answers at the API address: the usual cause is that {@code ./capstan up} is not running.
 */
final class ApiUnreachableException extends CliException {
  static final int EXIT_CODE = 2;

  ApiUnreachableException(String base, Throwable cause) {
    super("cannot reach the Capstan API at " + base + ": is `./capstan up` running?", EXIT_CODE);
    initCause(cause);
  }
}
