package io.capstan.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real stack for one test class: a fresh dev server and one Capstan process against it. Both
 * are stopped after the class, whether it passed or not, and so is every process a killed Capstan
 * left behind. Their logs stay in {@code e2e/target/e2e/CLASS/}: Capstan's as {@code capstan.log},
 * the dev server's beside its SQLite file in {@code temporal/}.
 *
 * <pre>{@code @RegisterExtension static final RealStack stack = new RealStack();}</pre>
 */
final class RealStack implements BeforeAllCallback, AfterAllCallback {
  private Path logs;
  private Path state;
  private DevServerFixture temporal;
  private CapstanProcess capstan;

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    logs = Repo.target().resolve("e2e").resolve(context.getRequiredTestClass().getSimpleName());
    deleteTree(logs);
    Files.createDirectories(logs);
    state = Files.createTempDirectory("capstan-e2e-");
    try {
      temporal = DevServerFixture.start(logs.resolve("temporal"));
      capstan = CapstanProcess.start(temporal, logs, Files.createDirectories(state.resolve("tmp")));
    } catch (IOException | RuntimeException | Error e) {
      stopAll();
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stopAll();
  }

  DevServerFixture temporal() {
    return temporal;
  }

  CapstanProcess capstan() {
    return capstan;
  }

  Api api() {
    return capstan.api();
  }

  /** This class's log folder, for files a test wants to keep. */
  Path logs() {
    return logs;
  }

  private void stopAll() {
    if (capstan != null) {
      capstan.close();
    }
    if (temporal != null) {
      temporal.close();
    }
    if (state != null) {
      try {
        deleteTree(state);
      } catch (UncheckedIOException e) {
        // A killed task's process may still be exiting; a leftover temp folder is harmless.
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
