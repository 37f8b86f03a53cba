package io.capstan.cli;

/** A command cannot go on; its message is printed as is and the process exits with the code. */
public class CliException extends RuntimeException {
  private final int exitCode;

  public CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
