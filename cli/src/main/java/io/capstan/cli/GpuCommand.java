package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "gpu",
    description = {
      "Look at the GPU fleet and take devices out of service or back (admin):",
      "  gpu status                          hosts, devices and their health, leases, events",
      "  gpu quarantine HOST DEVICE          no new lease; drained, then burned in again",
      "  gpu restore HOST DEVICE             back in service at once (replaced, or cleared)"
    })
final class GpuCommand extends ApiCommand {
  enum Action {
    status,
    quarantine,
    restore
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "status, quarantine or restore.")
  Action action;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "HOST DEVICE.")
  List<String> rest = new ArrayList<>();

  @Option(names = "--reason", description = "quarantine, restore: why, in the fleet's events.")
  String reason;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "status: table (default) or json.")
  GetCommand.Format format;

  @Override
  public Integer call() throws Exception {
    return switch (action) {
      case status -> status();
      case quarantine, restore -> change(action.name());
    };
  }

  private int status() throws Exception {
    JsonNode fleet = client().get("/api/v1/gpu").body();
    if (format == GetCommand.Format.json) {
      out().println(GetCommand.PRETTY.writeValueAsString(fleet));
      return 0;
    }
    if (!fleet.path("running").asBoolean()) {
      out().println(fleet.path("note").asText("no GPU fleet is running"));
      return 0;
    }
    TextTable devices = new TextTable("HOST", "DEVICE", "NAME", "HEALTH", "LEASE", "HOLDER");
    Iterator<Map.Entry<String, JsonNode>> hosts = fleet.path("hosts").fields();
    while (hosts.hasNext()) {
      Map.Entry<String, JsonNode> host = hosts.next();
      for (JsonNode device : host.getValue()) {
        String lease = device.path("lease").asText("");
        devices.row(
            host.getKey(),
            device.path("index").asText(),
            device.path("name").asText(),
            device.path("health").asText(),
            lease.isEmpty() ? "-" : lease,
            lease.isEmpty() ? "" : fleet.path("leases").path(lease).path("holder").asText(""));
      }
    }
    devices.lines().forEach(out()::println);
    out()
        .println(
            fleet.path("leases").size()
                + " leases held, "
                + fleet.path("waiting").size()
                + " requests waiting");
    JsonNode events = fleet.path("events");
    for (int i = Math.max(0, events.size() - 5); i < events.size(); i++) {
      JsonNode event = events.get(i);
      out().println("  " + event.path("at").asText() + "  " + event.path("message").asText());
    }
    return 0;
  }

  private int change(String name) throws Exception {
    if (rest.size() != 2) {
      throw new CliException(
          "gpu " + name + " takes HOST DEVICE, e.g. gpu " + name + " sim-gpu-0 3", 2);
    }
    String body =
        reason == null ? "" : GetCommand.PRETTY.writeValueAsString(Map.of("reason", reason));
    client()
        .post(
            "/api/v1/gpu/hosts/"
                + ApiClient.segment(rest.get(0))
                + "/devices/"
                + ApiClient.segment(rest.get(1))
                + "/"
                + name,
            body.getBytes(StandardCharsets.UTF_8),
            "application/json",
            Map.of());
    out()
        .println(
            "device "
                + rest.get(1)
                + " of "
                + rest.get(0)
                + (name.equals("quarantine")
                    ? " quarantined: it drains, then is burned in again (capstan gpu status)"
                    : " restored to service"));
    return 0;
  }
}
