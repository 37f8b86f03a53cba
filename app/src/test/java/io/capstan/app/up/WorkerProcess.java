package io.capstan.app.up;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code capstan worker --role infrastructure} as a process of its own, on this test's class path,
 * polling {@code runtime}'s Temporal with a cluster's worker kubeconfig: how the end-to-end tests
 * run the infrastructure role apart from the API, so that they can kill it.
 */
final class WorkerProcess {
  private WorkerProcess() {}

  /**
   * @param log where its output goes
   * @param extra more flags, e.g. {@code --simulated-aws-endpoint URL}
   */
  static Process infrastructure(
      CapstanRuntime runtime, Path kubeconfig, String host, Path state, Path log, String... extra) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.capstan.app.CapstanMain",
                "worker",
                "--role",
                "infrastructure",
                "--temporal",
                runtime.temporal().address(),
                "--host",
                host,
                "--kubeconfig",
                kubeconfig.toString()));
    command.addAll(List.of(extra));
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().put("CAPSTAN_OUTPUT_STORE", state.resolve("outputs").toString());
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
