package io.capstan.e2e;

import io.capstan.app.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A short-lived command that ran to its end: what it printed and how it exited. */
record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  /**
   * Runs {@code command} and waits for it; past {@code timeout} it and its children are killed and
   * the test fails. Output goes through files, so a chatty command never blocks on a full pipe.
   */
  static CommandResult run(Duration timeout, List<String> command) {
    Path out = null;
    Path err = null;
    Process process = null;
    try {
      out = Files.createTempFile("e2e-cmd-", ".out");
      err = Files.createTempFile("e2e-cmd-", ".err");
      process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError(
            String.join(" ", command)
                + " did not finish within "
                + timeout.toSeconds()
                + " s; its stderr so far:\n"
                + Files.readString(err, StandardCharsets.UTF_8));
      }
      return new CommandResult(
          command,
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (process != null && process.isAlive()) {
        ManagedProcess.stop(process.toHandle(), Duration.ZERO);
      }
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  /** This result, after checking that the command exited 0. */
  CommandResult succeeded() {
    if (exitCode != 0) {
      throw new AssertionError(this.toString());
    }
    return this;
  }

  @Override
  public String toString() {
    return String.join(" ", command)
        + " exited "
        + exitCode
        + "\n--- stdout\n"
        + stdout
        + "\n--- stderr\n"
        + stderr;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // A leftover temp file is harmless.
      }
    }
  }
}
