package io.capstan.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "signal", description = "Send a signal to a run, e.g. pause or resume.")
final class SignalCommand extends ApiCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The run id.")
  String id;

  @Parameters(index = "1", paramLabel = "NAME", description = "The signal name.")
  String name;

  @Option(names = "--data", paramLabel = "JSON", description = "A JSON payload for the signal.")
  String data;

  @Override
  public Integer call() {
    client()
        .post(
            runPath(id) + "/signals/" + ApiClient.segment(name),
            data == null ? new byte[0] : data.getBytes(StandardCharsets.UTF_8),
            data == null ? null : "application/json",
            Map.of());
    out().printf("sent %s to %s%n", name, id);
    return 0;
  }
}
