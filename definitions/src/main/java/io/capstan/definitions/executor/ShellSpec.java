package io.capstan.definitions.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A process run on the worker: argv, extra environment and working directory. */
public record ShellSpec(List<String> command, Map<String, String> env, String workingDir) {
  public ShellSpec {
    command = command == null ? List.of() : List.copyOf(command);
    env = env == null ? Map.of() : Map.copyOf(env);
  }

  /** This spec with {@code render} applied to every argument, environment value and the dir. */
  public ShellSpec render(UnaryOperator<String> render) {
    Map<String, String> renderedEnv = new LinkedHashMap<>();
    env.forEach((k, v) -> renderedEnv.put(k, render.apply(v)));
    return new ShellSpec(
        command.stream().map(render).toList(), renderedEnv, render.apply(workingDir));
  }
}
