package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "validate",
    description = "Check FILE without running it, and print each definition's plan.")
final class ValidateCommand extends ApiCommand {
  @Parameters(paramLabel = "FILE", description = "The definition file (- for standard input).")
  String file;

  @Override
  public Integer call() {
    DefinitionFile definition = DefinitionFile.read(file, System.in);
    JsonNode body =
        client()
            .post("/api/v1/validate", definition.bytes(), definition.contentType(), Map.of())
            .body();
    List<JsonNode> documents = new ArrayList<>();
    if (body.has("documents")) {
      body.path("documents").forEach(documents::add);
    } else {
      documents.add(body);
    }
    out().println(definition.name() + ": valid");
    for (JsonNode document : documents) {
      out()
          .printf(
              "%s %s/%s%n",
              document.path("kind").asText(),
              document.path("namespace").asText(),
              document.path("name").asText());
      JsonNode plan = document.path("plan");
      int level = 1;
      for (JsonNode tasks : plan.path("levels")) {
        List<String> names = new ArrayList<>();
        tasks.forEach(task -> names.add(task.asText()));
        out().printf("  level %d: %s%n", level++, String.join(", ", names));
      }
      JsonNode critical = plan.path("criticalPath");
      if (critical.path("tasks").size() > 0) {
        List<String> names = new ArrayList<>();
        critical.path("tasks").forEach(task -> names.add(task.asText()));
        out()
            .printf(
                "  critical path: %s (%s)%n",
                String.join(" -> ", names), RunText.duration(critical.path("duration").asText()));
      }
    }
    return 0;
  }
}
