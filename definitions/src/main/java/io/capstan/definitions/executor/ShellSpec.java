package io.capstan.definitions.executor;

import java.util.List;
import java.util.Map;

/** A process run on the worker: argv, extra environment and working directory. */
public record ShellSpec(List<String> command, Map<String, String> env, String workingDir) {
  public ShellSpec {
    command = command == null ? List.of() : List.copyOf(command);
    env = env == null ? Map.of() : Map.copyOf(env);
  }
}
