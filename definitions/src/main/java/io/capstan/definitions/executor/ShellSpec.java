package io.capstan.definitions.executor;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A process run on the worker: argv, extra environment and working directory.
 *
 * @param env extra environment variables, literal or from secrets; in YAML a map or a list (see
 *     {@link EnvVar})
 */
public record ShellSpec(
    List<String> command,
    @JsonDeserialize(using = EnvVar.ListReader.class) List<EnvVar> env,
    String workingDir) {
  public ShellSpec {
    command = command == null ? List.of() : List.copyOf(command);
    env = env == null ? List.of() : List.copyOf(env);
  }

  /**
   * This spec with {@code render} applied to every argument, environment value and the dir. Secret
   * references are names and stay as written.
   */
  public ShellSpec render(UnaryOperator<String> render) {
    return new ShellSpec(
        command.stream().map(render).toList(),
        env.stream().map(var -> var.render(render)).toList(),
        render.apply(workingDir));
  }
}
