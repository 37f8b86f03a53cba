package io.capstan.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The real stack for one test class: a fresh Temporal server and one Capstan process against it.
 * Both are stopped after the class, whether it passed or not, and so is every process a killed
 * Capstan left behind. Their logs stay in {@code e2e/target/e2e/CLASS/}: Capstan's as {@code
 * capstan.log}, the server's beside its data in {@code temporal/}.
 *
 * <pre>{@code
 * @RegisterExtension static final RealStack stack = new RealStack();  // the dev server
 * @RegisterExtension
 * static final TemporalStack<PostgresTemporalFixture> stack = TemporalStack.onPostgres();
 * }</pre>
 *
 * @param <T> the kind of Temporal server
 */
class TemporalStack<T extends TemporalServer> implements BeforeAllCallback, AfterAllCallback {
  private final Function<Path, T> startTemporal;
  private Path logs;
  private Path state;
  private T temporal;
  private CapstanProcess capstan;

  /**
   * @param startTemporal starts the server with its data and logs in the given folder
   */
  TemporalStack(Function<Path, T> startTemporal) {
    this.startTemporal = startTemporal;
  }

  /** Temporal Server on PostgreSQL, as {@code scripts/temporal-postgres.sh} runs it. */
  static TemporalStack<PostgresTemporalFixture> onPostgres() {
    return new TemporalStack<>(PostgresTemporalFixture::start);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    logs = Repo.target().resolve("e2e").resolve(context.getRequiredTestClass().getSimpleName());
    deleteTree(logs);
    Files.createDirectories(logs);
    state = Files.createTempDirectory("capstan-e2e-");
    try {
      temporal = startTemporal.apply(logs.resolve("temporal"));
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

  T temporal() {
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
    try {
      if (capstan != null) {
        capstan.close();
      }
    } finally {
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
