package io.capstan.definitions.archfixture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A definitions class that reads a file and the clock, as the parser may, and that no workflow code
 * calls: the determinism rules leave it alone. It exists only so that a test can prove the rules'
 * scope stops at what workflows call; it is never run.
 */
public final class DefinitionOutsideWorkflows {
  private DefinitionOutsideWorkflows() {}

  public static String load(Path file) throws IOException {
    return Files.readString(file) + Instant.now();
  }
}
