package io.capstan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code capstan} command: a thin client of the HTTP API. Exit codes: 0 success, 1 the API
 * refused the request (or a watched run did not complete), 2 the API could not be reached or the
 * command line or a file was unusable.
 */
@Command(
    name = "capstan",
    mixinStandardHelpOptions = true,
    versionProvider = CapstanCli.Version.class,
    description = "Submit and follow Capstan runs through the Capstan HTTP API.",
    subcommands = {
      SubmitCommand.class,
      GetCommand.class,
      OutputCommand.class,
      LogsCommand.class,
      WatchCommand.class,
      ListCommand.class,
      SignalCommand.class,
      CancelCommand.class,
      RetryCommand.class,
      SchedulesCommand.class,
      ScheduleCommand.class,
      ValidateCommand.class,
      ClusterCommand.class,
      GpuCommand.class,
      CommandLine.HelpCommand.class
    })
public final class CapstanCli {
  /** The environment variable that names the API address when {@code --api} is not given. */
  public static final String API_ENV = "CAPSTAN_API";

  public static final String DEFAULT_API = "http://127.0.0.1:8080";

  /** The environment variable holding the bearer token when {@code --token} is not given. */
  public static final String TOKEN_ENV = "CAPSTAN_TOKEN";

  @Option(
      names = "--api",
      scope = ScopeType.INHERIT,
      paramLabel = "URL",
      defaultValue = "${env:" + API_ENV + ":-" + DEFAULT_API + "}",
      description =
          "The Capstan API address (default: $" + API_ENV + ", else " + DEFAULT_API + ").")
  String api;

  @Option(
      names = "--token",
      scope = ScopeType.INHERIT,
      paramLabel = "TOKEN",
      defaultValue = "${env:" + TOKEN_ENV + "}",
      description =
          "The bearer token sent to the API (default: $"
              + TOKEN_ENV
              + "); needed when the API has authentication on.")
  String token;

  /**
   * The root command with every client subcommand. Hosts may add more (such as {@code up}) with
   * {@link CommandLine#addSubcommand}.
   */
  public static CommandLine commandLine() {
    CommandLine commandLine = new CommandLine(new CapstanCli());
    commandLine.setExecutionExceptionHandler(CapstanCli::handle);
    return commandLine;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  ApiClient client() {
    return new ApiClient(api, token);
  }

  /** Prints what went wrong the way a person can act on it, and picks the exit code. */
  private static int handle(
      Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) throws Exception {
    PrintWriter err = commandLine.getErr();
    if (e instanceof ApiCallException call) {
      err.println("error: " + call.getMessage());
      call.body().path("details").forEach(detail -> err.println("  " + RunText.detail(detail)));
    } else if (e instanceof CliException cli) {
      err.println(cli.getMessage());
    } else {
      throw e;
    }
    err.flush();
    return ((CliException) e).exitCode();
  }

  /** The version this CLI was built as, from the build's filtered {@code version.properties}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"capstan " + get()};
    }

    static String get() {
      try (InputStream in = CapstanCli.class.getResourceAsStream("version.properties")) {
        if (in == null) {
          return "unknown";
        }
        Properties properties = new Properties();
        properties.load(in);
        return properties.getProperty("version", "unknown");
      } catch (IOException e) {
        return "unknown";
      }
    }
  }
}
