package io.capstan.cli;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code capstan logs RUN TASK}: the log a task's attempt left when it ended: the end of stdout and
 * stderr for {@code shell}, the end of the pod's log for {@code container} (a notice where the pod
 * ran on a simulated node, which keeps none).
 */
@Command(
    name = "logs",
    description =
        "Print the log a task's attempt left: stdout/stderr for shell, the pod's log for"
            + " container (the latest attempt unless --attempt says).")
final class LogsCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
  String id;

  @Parameters(index = "1", paramLabel = "TASK", description = "The task's name.")
  String task;

  @Option(
      names = "--attempt",
      paramLabel = "N",
      description = "Which attempt, from 1 (default: the latest).")
  Integer attempt;

  @Override
  public Integer call() throws Exception {
    String path =
        runPath(id)
            + "/tasks/"
            + ApiClient.segment(task)
            + "/logs"
            + (attempt == null ? "" : "?attempt=" + attempt);
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    HttpHeaders headers = client().download(path, buffer);
    err()
        .println(
            "# attempt "
                + headers.firstValue("X-Capstan-Attempt").orElse("?")
                + " of task "
                + task);
    err().flush();
    out().print(buffer.toString(StandardCharsets.UTF_8));
    out().flush();
    return 0;
  }
}
