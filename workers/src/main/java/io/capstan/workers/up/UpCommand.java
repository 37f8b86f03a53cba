package io.capstan.workers.up;

import io.capstan.api.TemporalInfo;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.controlplane.ControlPlaneWorkerOptions;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code capstan up}: the API, the control-plane worker and Temporal in one process. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run the HTTP API and the control-plane worker on an embedded Temporal server (or on the"
          + " one given with --temporal) until interrupted with Ctrl-C."
    })
public final class UpCommand implements Callable<Integer> {
  static final String TEST_SERVER_LIMITS =
      "embedded Java test server: in-memory, no Web UI, no ListWorkflowExecutions (list falls back"
          + " to runs submitted here), no Schedules";

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "API port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = CapstanRuntime.Config.DEFAULT_BIND,
      description = "Address the API listens on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description = "Use this Temporal frontend instead of starting the embedded server.")
  String temporal;

  @Option(
      names = "--temporal-port",
      defaultValue = "7233",
      description = "Port of the embedded Temporal server (default: ${DEFAULT-VALUE}).")
  int temporalPort;

  @Option(
      names = "--namespace",
      defaultValue = CapstanRuntime.Config.DEFAULT_NAMESPACE,
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--temporal-ui",
      paramLabel = "URL",
      description = "Base address of the external Temporal's Web UI, linked from each run.")
  String temporalUi;

  @Option(
      names = "--shell",
      negatable = true,
      defaultValue = "true",
      fallbackValue = "true",
      description =
          "Run shell tasks as processes on this machine, as the user running Capstan (default:"
              + " on; --no-shell refuses them).")
  boolean shell;

  private final CountDownLatch stopped = new CountDownLatch(1);

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CapstanRuntime runtime;
    try {
      runtime = new CapstanRuntime(config()).start();
    } catch (CapstanRuntime.StartupException e) {
      err.println("capstan up: " + e.getMessage());
      err.flush();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("stopping Capstan...");
                  out.flush();
                  runtime.close();
                  out.println("stopped");
                  out.flush();
                  stopped.countDown();
                },
                "capstan-shutdown"));
    out.print(banner(runtime));
    out.flush();
    stopped.await();
    return 0;
  }

  CapstanRuntime.Config config() {
    return new CapstanRuntime.Config(
        bind,
        port,
        temporal,
        temporalPort,
        namespace,
        temporalUi,
        ControlPlaneWorkerOptions.defaults(shell));
  }

  static String banner(CapstanRuntime runtime) {
    TemporalInfo temporal = runtime.temporal();
    StringBuilder text = new StringBuilder();
    text.append("Capstan is up.\n");
    text.append("  API        ").append(runtime.apiUrl()).append('\n');
    text.append("  Temporal   ")
        .append(temporal.address())
        .append(", namespace ")
        .append(temporal.namespace())
        .append(" (")
        .append(temporal.mode())
        .append(")\n");
    if (TemporalInfo.TEST_SERVER.equals(temporal.mode())) {
      text.append("             ").append(TEST_SERVER_LIMITS).append('\n');
    }
    if (temporal.ui() != null) {
      text.append("  Web UI     ").append(temporal.ui()).append('\n');
    }
    text.append("  Executors  ")
        .append(
            runtime.servedExecutors().stream()
                .sorted()
                .map(kind -> kind.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")))
        .append('\n');
    if (runtime.servedExecutors().contains(ExecutorKind.SHELL)) {
      text.append("             shell tasks run on this machine as ")
          .append(System.getProperty("user.name"))
          .append(" (--no-shell turns them off)\n");
    }
    text.append("Press Ctrl-C to stop.\n");
    return text.toString();
  }
}
