package io.capstan.api.intake;

import io.capstan.definitions.Definition;
import java.util.List;
import java.util.Map;

/**
 * What a submit or validate request carries once read: every document, validated, and the {@code
 * ?param.NAME=VALUE} overrides that apply to each.
 *
 * @param text the body as it was parsed
 * @param json whether the body was sent as JSON
 */
public record Submission(
    List<Definition> definitions, Map<String, String> params, String text, boolean json) {
  public Submission {
    definitions = List.copyOf(definitions);
    params = Map.copyOf(params);
  }

  /**
   * The YAML text of each definition, in order: the document as submitted where it can be cut out
   * of the body, else written anew.
   */
  public List<String> documentTexts() {
    return DocumentTexts.of(text, json, definitions, params.keySet());
  }

  @Override
  public String toString() {
    return "Submission[" + definitions.size() + " definitions, params=" + params + "]";
  }
}
