package io.capstan.api.intake;

import io.capstan.definitions.Definition;
import java.util.List;
import java.util.Map;

/**
 * What a submit or validate request carries once read: every document, validated, and the {@code
 * ?param.NAME=VALUE} overrides that apply to each.
 */
public record Submission(List<Definition> definitions, Map<String, String> params) {
  public Submission {
    definitions = List.copyOf(definitions);
    params = Map.copyOf(params);
  }
}
