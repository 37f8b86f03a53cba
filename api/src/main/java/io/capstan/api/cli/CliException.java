package io.capstan.api.cli;

/** A command cannot go on; its message is printed as is and the process exits with the code. */
class CliException extends RuntimeException {
  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
