package io.capstan.definitions.executor;

import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * How a {@code container} task's pod behaves where pods are simulated (the local cluster's kwok
 * nodes): it runs for {@code duration}, the first {@code failAttempts} attempts exit with code 1,
 * later ones with {@code exitCode}, and a pod that exits 0 leaves {@code output} as its termination
 * message. {@code imagePullError}, when set, makes the image pull fail with that message instead. A
 * real cluster runs the image and ignores all of it.
 */
public record ContainerSimulation(
    Duration duration,
    Integer exitCode,
    Integer failAttempts,
    String output,
    String imagePullError) {
  public ContainerSimulation {
    duration = duration == null ? Duration.ZERO : duration;
    exitCode = exitCode == null ? 0 : exitCode;
    failAttempts = failAttempts == null ? 0 : failAttempts;
  }

  /** The exit code of attempt {@code attempt} (1-based). */
  public int exitCodeOf(int attempt) {
    return attempt <= failAttempts ? 1 : exitCode;
  }

  /** This simulation with {@code render} applied to its output. */
  public ContainerSimulation render(UnaryOperator<String> render) {
    return new ContainerSimulation(
        duration,
        exitCode,
        failAttempts,
        output == null ? null : render.apply(output),
        imagePullError);
  }
}
