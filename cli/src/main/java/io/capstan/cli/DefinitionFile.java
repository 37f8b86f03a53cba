package io.capstan.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;

/** A definition file as sent to the API: its bytes and the content type its name implies. */
record DefinitionFile(String name, byte[] bytes, String contentType) {
  static final String STDIN = "-";

  /** Reads {@code file}, or standard input for {@code -}. */
  static DefinitionFile read(String file, InputStream stdin) {
    try {
      if (STDIN.equals(file)) {
        return new DefinitionFile("<stdin>", stdin.readAllBytes(), "application/yaml");
      }
      Path path = Path.of(file);
      String type =
          path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json")
              ? "application/json"
              : "application/yaml";
      return new DefinitionFile(file, Files.readAllBytes(path), type);
    } catch (NoSuchFileException e) {
      throw new CliException("no such file: " + file, 2);
    } catch (IOException | RuntimeException e) {
      throw new CliException("cannot read " + file + ": " + e.getMessage(), 2);
    }
  }
}
