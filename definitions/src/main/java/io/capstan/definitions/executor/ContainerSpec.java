package io.capstan.definitions.executor;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A Kubernetes Job: image, command and args, environment, resources and placement.
 *
 * @param env environment variables, literal or from secrets; in YAML a map or a list (see {@link
 *     EnvVar})
 * @param simulate how the pod behaves where pods are simulated; null: it succeeds at once
 */
public record ContainerSpec(
    String image,
    List<String> command,
    List<String> args,
    @JsonDeserialize(using = EnvVar.ListReader.class) List<EnvVar> env,
    Resources resources,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations,
    ContainerSimulation simulate) {
  public ContainerSpec {
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? List.of() : List.copyOf(env);
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
  }

  /**
   * This spec with {@code render} applied to command, args and environment values. Secret
   * references are names and stay as written.
   */
  public ContainerSpec render(UnaryOperator<String> render) {
    return new ContainerSpec(
        image,
        command.stream().map(render).toList(),
        args.stream().map(render).toList(),
        env.stream().map(var -> var.render(render)).toList(),
        resources,
        nodeSelector,
        tolerations,
        simulate == null ? null : simulate.render(render));
  }
}
