package io.capstan.activities.task;

import io.capstan.definitions.Templates;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/** Which tasks' outputs a spec's templates name. */
final class TemplateNames {
  private TemplateNames() {}

  /**
   * The task names in {@code #{TASK.output}} references of every field a spec's {@code render}
   * visits: pass {@code spec::render}.
   */
  static Set<String> outputsNamedIn(Consumer<UnaryOperator<String>> render) {
    Set<String> names = new LinkedHashSet<>();
    render.accept(
        text -> {
          for (Templates.Reference reference : Templates.references(text)) {
            if (!reference.isParam() && Templates.OUTPUT.equals(reference.key())) {
              names.add(reference.scope());
            }
          }
          return text;
        });
    return names;
  }
}
