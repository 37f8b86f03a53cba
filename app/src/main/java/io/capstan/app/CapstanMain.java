package io.capstan.app;

import io.capstan.app.up.UpCommand;
import io.capstan.app.worker.WorkerCommand;
import io.capstan.cli.CapstanCli;
import picocli.CommandLine;

/**
 * The {@code capstan} command of the distribution: the API's client commands plus the ones that run
 * Capstan itself ({@code up}, {@code worker}) or configure it ({@code token}), which live here
 * because only this module may wire workers, activities and the API together.
 */
public final class CapstanMain {
  private CapstanMain() {}

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The root command with every subcommand, {@code up} included. */
  public static CommandLine commandLine() {
    return CapstanCli.commandLine()
        .addSubcommand("up", new UpCommand())
        .addSubcommand("worker", new WorkerCommand())
        .addSubcommand("token", new TokenCommand());
  }
}
