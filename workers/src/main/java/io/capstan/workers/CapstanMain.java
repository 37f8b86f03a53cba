package io.capstan.workers;

import io.capstan.api.cli.CapstanCli;
import io.capstan.workers.up.UpCommand;
import picocli.CommandLine;

/**
 * The {@code capstan} command of the distribution: the API's client commands plus {@code up}, which
 * lives here because only this module may wire workers, activities and the API together.
 */
public final class CapstanMain {
  private CapstanMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The root command with every subcommand, {@code up} included. */
  public static CommandLine commandLine() {
    return CapstanCli.commandLine().addSubcommand("up", new UpCommand());
  }
}
