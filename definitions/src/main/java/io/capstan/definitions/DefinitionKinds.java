package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Every kind of document Capstan reads, in one place: its {@code kind} name, the record it binds to
 * and the rules its schema cannot express. Adding a kind is a record in a package of its own (which
 * {@link Definition} permits), its rules, and one line here; the API registers how it runs in its
 * own registry ({@code io.capstan.api.runs.RunKind}).
 */
public final class DefinitionKinds {
  /** The rules of one kind, checked on the document's tree after the schema. */
  @FunctionalInterface
  interface Rules {
    void check(
        SourceDocument source,
        JsonNode spec,
        NodePath specPath,
        Set<String> params,
        List<Problem> problems);
  }

  /**
   * One kind.
   *
   * @param name the {@code kind} as written, e.g. {@code Pipeline}
   * @param type the record a document of this kind binds to
   */
  public record Kind(String name, Class<? extends Definition> type, Rules rules) {}

  private static final List<Kind> ALL =
      List.of(
          new Kind(PipelineDefinition.KIND, PipelineDefinition.class, DefinitionRules::pipeline),
          new Kind(JobDefinition.KIND, JobDefinition.class, DefinitionRules::job),
          new Kind(ClusterDefinition.KIND, ClusterDefinition.class, DefinitionRules::cluster),
          new Kind(
              RollingUpdateDefinition.KIND,
              RollingUpdateDefinition.class,
              DefinitionRules::rollingUpdate));

  private DefinitionKinds() {}

  /** Every kind, in the order documentation lists them. */
  public static List<Kind> all() {
    return ALL;
  }

  /** The kind named {@code name} exactly as written; empty for an unknown one. */
  public static Optional<Kind> named(String name) {
    return ALL.stream().filter(kind -> kind.name().equals(name)).findFirst();
  }
}
