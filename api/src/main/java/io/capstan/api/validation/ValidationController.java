package io.capstan.api.validation;

import io.capstan.api.auth.Authenticator;
import io.capstan.api.http.RequestBodies;
import io.capstan.api.intake.DefinitionIntake;
import io.capstan.api.intake.NamespaceCheck;
import io.capstan.api.intake.Submission;
import io.capstan.definitions.Definition;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/validate}: reads the body exactly as a submit would, refusals included, and
 * answers each definition's plan instead of starting it.
 */
public final class ValidationController {
  private final DefinitionIntake intake;

  public ValidationController(DefinitionIntake intake) {
    this.intake = intake;
  }

  /**
   * 200 {@code {valid: true, kind, name, namespace, plan}}, or {@code {valid: true, documents:
   * [...]}} for several documents; invalid input is answered by the error mappers (422).
   */
  public void validate(Context ctx) {
    Submission submission =
        intake.read(RequestBodies.readText(ctx), ctx.contentType(), ctx.queryParamMap());
    NamespaceCheck.requireAllowed(submission, Authenticator.principal(ctx));
    List<Definition> definitions = submission.definitions();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("valid", true);
    if (definitions.size() == 1) {
      body.putAll(document(definitions.get(0)));
    } else {
      body.put("documents", definitions.stream().map(ValidationController::document).toList());
    }
    ctx.json(body);
  }

  private static Map<String, Object> document(Definition definition) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("kind", definition.kind());
    document.put("name", definition.metadata().name());
    document.put("namespace", definition.metadata().namespace());
    document.put("plan", PlanView.of(definition));
    return document;
  }
}
