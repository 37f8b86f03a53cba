package io.capstan.definitions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The example definitions shipped in {@code definitions/examples}. */
final class Examples {
  private Examples() {}

  /**
   * The examples folder. Maven runs tests in the module directory; an IDE may run them from the
   * repository root.
   */
  static Path folder() {
    Path inModule = Path.of("examples");
    return Files.isDirectory(inModule) ? inModule : Path.of("definitions", "examples");
  }

  static List<Path> all() {
    try (Stream<Path> files = Files.list(folder())) {
      return files
          .filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String read(String name) {
    return read(folder().resolve(name));
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
