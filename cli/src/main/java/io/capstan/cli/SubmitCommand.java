package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "submit",
    description = "Start a run of each definition in FILE (YAML or JSON; - for standard input).")
final class SubmitCommand extends ApiCommand {
  @Parameters(paramLabel = "FILE", description = "The definition file.")
  String file;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description = "Override a param of the definition; repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Option(
      names = "--idempotency-key",
      paramLabel = "KEY",
      description = "Submitting again with the same key returns the same run.")
  String idempotencyKey;

  @Option(
      names = {"-q", "--quiet"},
      description = "Print only the run ids, one per line, for scripts: ID=$(capstan submit -q F).")
  boolean quiet;

  @Override
  public Integer call() {
    DefinitionFile definition = DefinitionFile.read(file, System.in);
    Map<String, String> query = new LinkedHashMap<>();
    params.forEach((name, value) -> query.put("param." + name, value));
    ApiClient.Answer answer =
        client()
            .post(
                ApiClient.withQuery("/api/v1/runs", query),
                definition.bytes(),
                definition.contentType(),
                idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
    JsonNode body = answer.body();
    List<JsonNode> runs = body.has("runs") ? list(body.path("runs")) : List.of(body);
    boolean resent = answer.status() == 200;
    for (JsonNode run : runs) {
      String id = run.path("id").asText();
      if (quiet) {
        out().println(id);
        continue;
      }
      out()
          .printf(
              "%s %s (%s %s/%s)%n",
              resent ? "already submitted:" : "submitted",
              id,
              run.path("kind").asText(),
              run.path("namespace").asText(),
              run.path("name").asText());
      if (resent) {
        out().printf("  status:      %s%n", run.path("status").asText());
      }
      out().printf("  watch it:    capstan watch %s%n", id);
      String ui = run.path("links").path("temporalUi").asText("");
      if (!ui.isEmpty() && !"null".equals(ui)) {
        out().printf("  Temporal UI: %s%n", ui);
      }
    }
    return 0;
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }
}
