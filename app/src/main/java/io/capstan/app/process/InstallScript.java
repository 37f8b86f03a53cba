package io.capstan.app.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * One run of a checkout's install script ({@code scripts/install-kubernetes.sh}, {@code
 * scripts/install-moto.sh}) in the background of {@code capstan up}: its output appended to a log,
 * each line handed on as progress, and a failure that names the exit code, the log and the last
 * lines. {@link #start()} and {@link #follow} are apart so that the owner can keep the process (to
 * stop it on close) between them.
 */
public final class InstallScript {
  private static final int TAIL_LINES = 8;

  private final Path script;
  private final Path directory;
  private final Path log;
  private Process process;

  /**
   * @param directory where it runs (the checkout)
   * @param log the file its output is appended to
   */
  public InstallScript(Path script, Path directory, Path log) {
    this.script = script;
    this.directory = directory;
    this.log = log;
  }

  /** Starts the script; its output waits for {@link #follow}. */
  public Process start() throws IOException {
    Files.createDirectories(log.getParent());
    process =
        new ProcessBuilder(script.toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .start();
    return process;
  }

  /**
   * Reads the output to its end, appending it to the log and handing each line to {@code progress},
   * and waits for the script to exit.
   *
   * @throws IOException when it exits with another code than 0, naming the code, the log and the
   *     last lines
   */
  public void follow(Consumer<String> progress) throws IOException, InterruptedException {
    Deque<String> tail = new ArrayDeque<>();
    try (BufferedReader lines =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out =
            Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      String line;
      while ((line = lines.readLine()) != null) {
        out.write(line + "\n");
        out.flush();
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
          tail.removeFirst();
        }
        progress.accept(line);
      }
    }
    int code = process.waitFor();
    if (code != 0) {
      throw new IOException(
          script.getFileName()
              + " failed with exit code "
              + code
              + " (log "
              + log
              + "): "
              + String.join(" | ", tail));
    }
  }
}
