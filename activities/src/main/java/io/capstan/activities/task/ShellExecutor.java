package io.capstan.activities.task;

import io.capstan.definitions.executor.ShellSpec;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.Activity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Runs a {@code shell} task as a real process: argv as given (no shell parses it unless the command
 * is a shell), the worker's environment plus the task's, and {@code CAPSTAN_OUTPUT} naming a file
 * the process may write its output to. stdout and stderr go to files rather than pipes, so a chatty
 * process can never block on a full pipe and the worker keeps only their tails in memory.
 */
final class ShellExecutor {
  static final String DISABLED_MESSAGE =
      "this worker runs shell tasks only when started with shell enabled (./capstan up enables it)";

  /** Outputs travel through workflow history; beyond this they belong in storage, not in state. */
  static final int MAX_OUTPUT_BYTES = 256 * 1024;

  static final int STDERR_TAIL_LINES = 20;
  static final int STDERR_TAIL_BYTES = 2048;
  private static final int STDOUT_TAIL_BYTES = 64 * 1024;
  private static final Duration TERMINATION_GRACE = Duration.ofSeconds(3);

  private final boolean enabled;
  private final TaskClock clock;
  private final Duration step;

  ShellExecutor(boolean enabled, TaskClock clock, Duration step) {
    this.enabled = enabled;
    this.clock = clock;
    this.step = step;
  }

  TaskOutcome run(ShellSpec spec, Attempt attempt) {
    if (!enabled) {
      throw attempt.nonRetryable(TaskFailures.SHELL_DISABLED, DISABLED_MESSAGE, null);
    }
    if (spec.command().isEmpty()) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "shell.command is empty", null);
    }
    Path workingDir = workingDir(spec, attempt);
    Path scratch = createScratch(attempt);
    try {
      return runIn(scratch, workingDir, spec, attempt);
    } finally {
      deleteQuietly(scratch);
    }
  }

  private TaskOutcome runIn(Path scratch, Path workingDir, ShellSpec spec, Attempt attempt) {
    Path output = scratch.resolve("output");
    Path stdout = scratch.resolve("stdout");
    Path stderr = scratch.resolve("stderr");
    ProcessBuilder builder =
        new ProcessBuilder(spec.command())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    if (workingDir != null) {
      builder.directory(workingDir.toFile());
    }
    builder.environment().putAll(spec.env());
    builder.environment().put("CAPSTAN_OUTPUT", output.toString());
    builder.environment().put("CAPSTAN_ATTEMPT", Integer.toString(attempt.number()));
    putIfPresent(builder, "CAPSTAN_RUN_ID", attempt.context().runId());
    putIfPresent(builder, "CAPSTAN_TASK", attempt.context().task());

    Process process;
    try {
      Files.createFile(output);
      process = builder.start();
    } catch (IOException e) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START,
          "cannot start '" + spec.command().get(0) + "': " + startProblem(e),
          null);
    }
    closeQuietly(process);
    int exitCode = await(process, attempt);
    if (exitCode != 0) {
      String tail = tail(stderr, STDERR_TAIL_BYTES, STDERR_TAIL_LINES);
      throw attempt.retryable(
          TaskFailures.SHELL_EXIT,
          "exit code " + exitCode + ": " + (tail.isEmpty() ? "(no stderr output)" : tail),
          null);
    }
    return attempt.succeed(output(output, stdout, attempt));
  }

  /**
   * Waits for the process, heartbeating every step. When the heartbeat reports a cancellation (or
   * anything else goes wrong) the process and every process it started are stopped first, so a
   * canceled task leaves nothing running on the worker.
   */
  private int await(Process process, Attempt attempt) {
    long start = clock.nanoTime();
    try {
      while (!process.waitFor(step.toMillis(), TimeUnit.MILLISECONDS)) {
        attempt.heartbeat().beat((clock.nanoTime() - start) / 1_000_000);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      destroyTree(process);
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    } catch (RuntimeException | Error e) {
      destroyTree(process);
      throw e;
    }
  }

  /**
   * SIGTERM to the process and its descendants, then SIGKILL to whatever outlives the grace period.
   * Descendants are listed before anything is signalled: once their parent dies they are reparented
   * and no longer show up as its descendants.
   */
  static void destroyTree(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    process.destroy();
    descendants.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + TERMINATION_GRACE.toNanos();
    awaitExit(process.toHandle(), deadline);
    descendants.forEach(handle -> awaitExit(handle, deadline));
  }

  private static void awaitExit(ProcessHandle handle, long deadline) {
    try {
      long left = Math.max(0, deadline - System.nanoTime());
      handle.onExit().get(left, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      handle.destroyForcibly();
    } catch (InterruptedException e) {
      handle.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // onExit never fails; if it did, a forced kill is still the right answer.
      handle.destroyForcibly();
    }
  }

  private String output(Path output, Path stdout, Attempt attempt) {
    try {
      long size = Files.size(output);
      if (size > MAX_OUTPUT_BYTES) {
        throw tooLarge(size, attempt);
      }
      String written = Files.readString(output, StandardCharsets.UTF_8).trim();
      if (!written.isEmpty()) {
        return written;
      }
      // The last line is all that is needed, and no line within this tail exceeds the output limit.
      String tail = tail(stdout, STDOUT_TAIL_BYTES, Integer.MAX_VALUE);
      String[] lines = tail.split("\\R");
      for (int i = lines.length - 1; i >= 0; i--) {
        String line = lines[i].trim();
        if (!line.isEmpty()) {
          return line;
        }
      }
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RuntimeException tooLarge(long size, Attempt attempt) {
    return attempt.nonRetryable(
        TaskFailures.INVALID,
        "output is "
            + size
            + " bytes; task outputs are limited to "
            + MAX_OUTPUT_BYTES / 1024
            + " KiB (write large results to storage and output a reference to them)",
        null);
  }

  /**
   * The last {@code maxLines} lines within the last {@code maxBytes} bytes of {@code file}, without
   * trailing blank lines. A line cut by the byte limit is dropped unless it is the only one, and a
   * cut is marked with a leading "...".
   */
  static String tail(Path file, int maxBytes, int maxLines) {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      long size = channel.size();
      long from = Math.max(0, size - maxBytes);
      ByteBuffer buffer = ByteBuffer.allocate((int) (size - from));
      channel.position(from);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // Keep reading: a channel may return fewer bytes than asked for.
      }
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
      boolean cut = from > 0;
      if (cut) {
        int newline = text.indexOf('\n');
        if (newline >= 0 && newline < text.length() - 1) {
          text = text.substring(newline + 1);
        }
      }
      String[] lines = text.stripTrailing().split("\\R", -1);
      if (lines.length > maxLines) {
        lines = Arrays.copyOfRange(lines, lines.length - maxLines, lines.length);
        cut = true;
      }
      String joined = String.join("\n", lines);
      return cut && !joined.isEmpty() ? "...\n" + joined : joined;
    } catch (IOException e) {
      return "(stderr unreadable: " + e.getMessage() + ")";
    }
  }

  private static Path workingDir(ShellSpec spec, Attempt attempt) {
    if (spec.workingDir() == null || spec.workingDir().isBlank()) {
      return null;
    }
    Path dir = Path.of(spec.workingDir());
    if (!Files.isDirectory(dir)) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START,
          "working directory '" + spec.workingDir() + "' does not exist or is not a directory",
          null);
    }
    return dir;
  }

  private static Path createScratch(Attempt attempt) {
    try {
      return Files.createTempDirectory("capstan-shell-");
    } catch (IOException e) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START, "cannot create a scratch directory: " + e.getMessage(), e);
    }
  }

  /** The OS's reason without Java's "Cannot run program" preamble, which repeats the command. */
  private static String startProblem(IOException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    int errno = message.indexOf("error=");
    return errno >= 0 ? message.substring(errno) : message;
  }

  private static void putIfPresent(ProcessBuilder builder, String name, String value) {
    if (value != null) {
      builder.environment().put(name, value);
    }
  }

  /** Nothing is ever written to the process, so it sees end-of-file instead of waiting on stdin. */
  private static void closeQuietly(Process process) {
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // The process may already be gone; its exit code tells the story.
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // A leftover file in the temp dir is harmless; failing the task over it is not.
    }
  }
}
