package io.capstan.cli;

import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "cancel", description = "Cancel a run: its running tasks are canceled too.")
final class CancelCommand extends ApiCommand {
  @Parameters(paramLabel = "ID", description = "The run id.")
  String id;

  @Override
  public Integer call() {
    client().post(runPath(id) + "/cancel", new byte[0], null, Map.of());
    out().printf("cancel requested for %s%n  follow it: capstan watch %s%n", id, id);
    return 0;
  }
}
