package io.capstan.definitions.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A Kubernetes Job: image, command and args, environment, resources and placement. */
public record ContainerSpec(
    String image,
    List<String> command,
    List<String> args,
    Map<String, String> env,
    Resources resources,
    Map<String, String> nodeSelector,
    List<Toleration> tolerations) {
  public ContainerSpec {
    command = command == null ? List.of() : List.copyOf(command);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? Map.of() : Map.copyOf(env);
    nodeSelector = nodeSelector == null ? Map.of() : Map.copyOf(nodeSelector);
    tolerations = tolerations == null ? List.of() : List.copyOf(tolerations);
  }

  /** This spec with {@code render} applied to command, args and environment values. */
  public ContainerSpec render(UnaryOperator<String> render) {
    Map<String, String> renderedEnv = new LinkedHashMap<>();
    env.forEach((k, v) -> renderedEnv.put(k, render.apply(v)));
    return new ContainerSpec(
        image,
        command.stream().map(render).toList(),
        args.stream().map(render).toList(),
        renderedEnv,
        resources,
        nodeSelector,
        tolerations);
  }
}
