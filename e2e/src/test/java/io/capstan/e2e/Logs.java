package io.capstan.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Tails of process logs, for failure messages that say why a process did not come up. */
final class Logs {
  private static final int TAIL_LINES = 40;

  private Logs() {}

  static String tail(Path log) {
    try {
      // Decoded leniently: a process killed mid-write may leave half a character behind.
      List<String> lines =
          List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\\R"));
      return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(no log at " + log + ": " + e.getMessage() + ")";
    }
  }
}
