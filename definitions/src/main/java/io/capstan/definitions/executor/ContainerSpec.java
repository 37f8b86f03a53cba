package io.capstan.definitions.executor;

import java.util.List;
import java.util.Map;

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
}
