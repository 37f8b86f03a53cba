package io.capstan.app.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A child process's log: everything it prints, appended start after start, each start opened by a
 * line naming its command. Its tail since one start is what a failure message shows.
 */
final class ProcessLog {
  private static final int TAIL_LINES = 30;
  private static final int TAIL_BYTES = 64 * 1024;

  private final Path file;

  ProcessLog(Path file) {
    this.file = file;
  }

  Path path() {
    return file;
  }

  /**
   * Writes the line that opens a start.
   *
   * @return where that start's output begins, for {@link #tailSince}
   */
  long openStart(List<String> command) {
    try {
      Files.writeString(
          file,
          "capstan: " + Instant.now() + " " + String.join(" ", command) + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return Files.size(file);
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot write " + file + ": " + e, e);
    }
  }

  /** Everything written since {@code offset}. */
  String since(long offset) throws IOException {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, in.length() - offset)];
      in.seek(offset);
      in.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** The last lines written since {@code offset}, phrased for an error message. */
  String tailSince(long offset) {
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      byte[] bytes = new byte[(int) Math.max(0, Math.min(length - offset, TAIL_BYTES))];
      in.seek(length - bytes.length);
      in.readFully(bytes);
      // Decoded leniently: a process killed mid-write may leave half a character behind.
      List<String> lines =
          Arrays.asList(new String(bytes, StandardCharsets.UTF_8).strip().split("\\R"));
      List<String> tail = lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
      if (bytes.length == 0 || (tail.size() == 1 && tail.get(0).isBlank())) {
        return "it wrote nothing to " + file;
      }
      return "the end of " + file + ":\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "its log " + file + " cannot be read: " + e;
    }
  }
}
