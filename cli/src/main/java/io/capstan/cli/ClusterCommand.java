package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "cluster",
    description = {
      "Look at and change a cluster:",
      "  cluster get CLUSTER                    its pools, nodes, operation and cost",
      "  cluster scale CLUSTER POOL DESIRED     set a pool's size (--min, --max: its bounds)",
      "  cluster delete CLUSTER                 remove every group, instance and node",
      "CLUSTER is the cluster's run id or its name (in --namespace)."
    })
final class ClusterCommand extends ApiCommand {
  enum Action {
    get,
    scale,
    delete
  }

  @Parameters(index = "0", paramLabel = "ACTION", description = "get, scale or delete.")
  Action action;

  @Parameters(index = "1", paramLabel = "CLUSTER", description = "The run id or the name.")
  String cluster;

  @Parameters(index = "2..*", paramLabel = "ARGS", description = "scale: POOL DESIRED.")
  List<String> rest = new ArrayList<>();

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "The cluster's namespace (default: default).")
  String namespace;

  @Option(names = "--min", description = "scale: the pool's new minimum.")
  Integer min;

  @Option(names = "--max", description = "scale: the pool's new maximum.")
  Integer max;

  @Option(names = "--reason", description = "delete: why, recorded in the cluster's events.")
  String reason;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "get: table (default) or json.")
  GetCommand.Format format;

  @Override
  public Integer call() throws Exception {
    String id = resolve();
    return switch (action) {
      case get -> get(id);
      case scale -> scale(id);
      case delete -> update(id, "delete", reason == null ? Map.of() : Map.of("reason", reason));
    };
  }

  /** A run id as given, or the id of the running cluster of that name. */
  private String resolve() {
    if (cluster.startsWith("cluster-")) {
      return cluster;
    }
    JsonNode runs =
        client()
            .get(
                ApiClient.withQuery(
                    "/api/v1/runs", Map.of("kind", "Cluster", "namespace", namespace)))
            .body();
    String running = null;
    String latest = null;
    for (JsonNode run : runs.path("runs")) {
      if (cluster.equals(run.path("name").asText())) {
        latest = latest == null ? run.path("id").asText() : latest;
        if ("RUNNING".equals(run.path("status").asText()) && running == null) {
          running = run.path("id").asText();
        }
      }
    }
    if (running != null) {
      return running;
    }
    if (latest != null) {
      return latest;
    }
    throw new CliException(
        "no cluster named '"
            + cluster
            + "' in namespace "
            + namespace
            + " (capstan list --kind Cluster lists them)",
        2);
  }

  private int get(String id) throws Exception {
    JsonNode run = client().get(runPath(id)).body();
    if (format == GetCommand.Format.json) {
      out().println(GetCommand.PRETTY.writeValueAsString(run));
      return 0;
    }
    JsonNode view = run.path("cluster");
    out()
        .printf(
            "%s  %s/%s  %s  %s %s%n",
            id,
            run.path("namespace").asText(),
            run.path("name").asText(),
            view.path("phase").asText(run.path("status").asText()),
            view.path("provider").asText(""),
            view.path("region").asText(""));
    if (view.path("operation").isObject()) {
      JsonNode operation = view.path("operation");
      out()
          .printf(
              "operation: %s since %s%s%n",
              operation.path("name").asText(),
              operation.path("since").asText(),
              operation.path("step").isTextual()
                  ? " (" + operation.path("step").asText() + ")"
                  : "");
    }
    TextTable pools = new TextTable("POOL", "TYPE", "DESIRED", "MIN..MAX", "READY", "NODES");
    Iterator<Map.Entry<String, JsonNode>> entries = view.path("pools").fields();
    while (entries.hasNext()) {
      Map.Entry<String, JsonNode> pool = entries.next();
      JsonNode p = pool.getValue();
      List<String> nodes = new ArrayList<>();
      for (JsonNode node : p.path("nodes")) {
        nodes.add(
            node.path("name").asText(node.path("instanceId").asText())
                + (node.path("ready").asBoolean() ? "" : " (not ready)"));
      }
      pools.row(
          pool.getKey(),
          p.path("instanceType").asText() + (p.path("spot").asBoolean() ? " spot" : ""),
          p.path("desired").asText(),
          p.path("min").asText() + ".." + p.path("max").asText(),
          p.path("ready").asText(),
          String.join(", ", nodes));
    }
    pools.lines().forEach(out()::println);
    JsonNode cost = view.path("cost");
    if (cost.isObject()) {
      out()
          .printf(
              "cost: $%.2f so far, $%.2f/h now, $%.2f projected this month%s%n",
              cost.path("total").asDouble(),
              cost.path("hourly").asDouble(),
              cost.path("projectedMonthly").asDouble(),
              cost.path("monthlyLimit").isNumber()
                  ? String.format(" (budget $%.2f)", cost.path("monthlyLimit").asDouble())
                  : "");
    }
    for (JsonNode alert : view.path("alerts")) {
      out().println("alert: " + alert.path("message").asText());
    }
    if (view.path("failure").isTextual()) {
      out().println("failed: " + view.path("failure").asText());
    }
    JsonNode events = view.path("events");
    int from = Math.max(0, events.size() - 5);
    for (int i = from; i < events.size(); i++) {
      JsonNode event = events.get(i);
      out().println("  " + event.path("at").asText() + "  " + event.path("message").asText());
    }
    return 0;
  }

  private int scale(String id) throws Exception {
    if (rest.size() != 2) {
      throw new CliException(
          "cluster scale takes CLUSTER POOL DESIRED, e.g. cluster scale prod gpu 3", 2);
    }
    int desired;
    try {
      desired = Integer.parseInt(rest.get(1));
    } catch (NumberFormatException e) {
      throw new CliException("DESIRED is a whole number, not '" + rest.get(1) + "'", 2);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("pool", rest.get(0));
    body.put("desired", desired);
    if (min != null) {
      body.put("min", min);
    }
    if (max != null) {
      body.put("max", max);
    }
    return update(id, "scale", body);
  }

  private int update(String id, String name, Map<String, Object> body) throws Exception {
    ObjectNode json = GetCommand.PRETTY.valueToTree(body);
    JsonNode answer =
        client()
            .post(
                runPath(id) + "/updates/" + name,
                json.toString().getBytes(StandardCharsets.UTF_8),
                "application/json",
                Map.of())
            .body();
    if (answer.path("result").isObject()) {
      out().println(answer.path("result").path("message").asText());
    } else {
      out()
          .println(
              name + " accepted and running: capstan cluster get " + id + " shows its progress");
    }
    return 0;
  }
}
