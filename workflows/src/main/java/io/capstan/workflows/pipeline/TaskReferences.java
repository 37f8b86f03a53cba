package io.capstan.workflows.pipeline;

import io.capstan.definitions.Templates;
import io.capstan.definitions.pipeline.TaskSpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What a task's templates name, and which outputs its attempt is given: those its templates name,
 * and its dependencies' when it has at most {@value #MAX_DEPENDENCY_INPUTS} (as files in {@code
 * $CAPSTAN_INPUTS}).
 */
public record TaskReferences(Set<String> params, Set<String> outputs) {
  /** A task gets its dependencies' outputs as files only when it has at most this many. */
  public static final int MAX_DEPENDENCY_INPUTS = 64;

  /** The params and outputs {@code task}'s attempt is given. */
  public static TaskReferences of(TaskSpec task) {
    Set<String> outputs =
        new LinkedHashSet<>(
            task.dependsOn().size() <= MAX_DEPENDENCY_INPUTS ? task.dependsOn() : List.of());
    Set<String> params = new LinkedHashSet<>();
    UnaryOperator<String> collect =
        text -> {
          for (Templates.Reference reference : Templates.references(text)) {
            if (reference.isParam()) {
              params.add(reference.key());
            } else if (Templates.OUTPUT.equals(reference.key())) {
              outputs.add(reference.scope());
            }
          }
          return text;
        };
    if (task.simulate() != null) {
      task.simulate().render(collect);
    }
    if (task.shell() != null) {
      task.shell().render(collect);
    }
    if (task.container() != null) {
      task.container().render(collect);
    }
    return new TaskReferences(params, outputs);
  }
}
