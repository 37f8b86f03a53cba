package io.capstan.activities.task;

import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntPredicate;
import java.util.stream.Stream;

/**
 * Runs a {@code shell} task as a real process: argv as given (no shell parses it unless the command
 * is a shell, so a parameter substituted into an argument stays that one argument), the worker's
 * environment plus the task's, and {@code CAPSTAN_OUTPUT} naming a file the process may write its
 * output to. stdout and stderr go to files rather than pipes, so a chatty process can never block
 * on a full pipe and the worker keeps only their tails in memory.
 *
 * <p>Before anything starts, the worker's {@link ShellPolicy} must allow argv[0] in the run's
 * namespace, and every {@code secretRef} must resolve. Secret values reach the process through its
 * environment only; every resolved value is masked ({@code ***}) in the output and in the stderr
 * tail of a failure, because both are written to Temporal's history. The worker's own secrets and
 * keys ({@link #isWorkerOnly}) are removed from the environment the process inherits, so a task can
 * read only the secrets its definition names.
 */
final class ShellExecutor {
  static final String DISABLED_MESSAGE =
      "this worker runs shell tasks only when started with shell enabled (./capstan up enables it)";

  static final int STDERR_TAIL_LINES = 20;
  static final int STDERR_TAIL_BYTES = 2048;
  private static final Duration TERMINATION_GRACE = Duration.ofSeconds(3);

  /** Worker variables that hold other tenants' secrets or Capstan's keys, never inherited. */
  private static final List<String> WORKER_ONLY = List.of("CAPSTAN_CODEC_KEYS", "CAPSTAN_TOKENS");

  /** The worker's own search path, where bare command names are found. */
  private static final String WORKER_PATH =
      Optional.ofNullable(System.getenv("PATH")).orElse("/usr/local/bin:/usr/bin:/bin");

  private final ShellPolicy policy;
  private final SecretResolver secrets;
  private final TaskClock clock;
  private final Duration step;
  private final Outputs outputs;

  ShellExecutor(
      ShellPolicy policy, SecretResolver secrets, TaskClock clock, Duration step, Outputs outputs) {
    this.policy = policy;
    this.secrets = secrets;
    this.clock = clock;
    this.step = step;
    this.outputs = outputs;
  }

  TaskOutcome run(ShellSpec spec, Attempt attempt) {
    return run(spec, null, attempt);
  }

  /**
   * Runs {@code spec} after rendering its templates with {@code inputs} (null: already rendered):
   * stored outputs it names are fetched and substituted, and every output in {@code inputs} is
   * written to {@code $CAPSTAN_INPUTS/TASK} for the process to read.
   */
  TaskOutcome run(ShellSpec unrendered, TaskInputs inputs, Attempt attempt) {
    if (!policy.enabled()) {
      throw attempt.nonRetryable(TaskFailures.SHELL_DISABLED, DISABLED_MESSAGE, null);
    }
    ShellSpec spec =
        outputs.render(
            unrendered,
            unrendered::render,
            inputs,
            Outputs.MAX_SUBSTITUTED_BYTES,
            "a command-line argument or environment variable",
            attempt);
    if (spec.command().isEmpty()) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "shell.command is empty", null);
    }
    String namespace = attempt.context().namespace();
    Optional<String> refusal = policy.refusal(namespace, spec.command().get(0));
    if (refusal.isPresent()) {
      throw attempt.nonRetryable(TaskFailures.SHELL_NOT_ALLOWED, refusal.get(), null);
    }
    Map<String, String> env = new LinkedHashMap<>();
    List<String> secretValues = new ArrayList<>();
    for (EnvVar var : spec.env()) {
      String value = var.isSecret() ? secret(var, attempt) : var.value();
      if (var.isSecret()) {
        secretValues.add(value);
      }
      env.put(var.name(), value == null ? "" : value);
    }
    Redactor redactor = Redactor.of(secretValues);
    Path workingDir = workingDir(spec, attempt);
    Path scratch = createScratch(attempt);
    try {
      if (inputs != null) {
        Path inputDir = scratch.resolve("inputs");
        outputs.materialize(inputs, inputDir, attempt);
        env.put("CAPSTAN_INPUTS", inputDir.toString());
      }
      return runIn(scratch, workingDir, spec.command(), env, redactor, attempt);
    } finally {
      deleteQuietly(scratch);
    }
  }

  /** The value of {@code var}'s secret; fails the task, naming the secret, when there is none. */
  private String secret(EnvVar var, Attempt attempt) {
    String name = var.secretRef();
    Optional<String> value;
    try {
      value = secrets.resolve(name);
    } catch (IllegalArgumentException e) {
      throw attempt.nonRetryable(
          TaskFailures.INVALID, "env " + var.name() + ": " + e.getMessage(), null);
    } catch (UncheckedIOException e) {
      throw attempt.nonRetryable(
          TaskFailures.SECRET_NOT_FOUND, "env " + var.name() + ": " + e.getMessage(), null);
    }
    if (value.isEmpty()) {
      throw attempt.nonRetryable(
          TaskFailures.SECRET_NOT_FOUND,
          "env "
              + var.name()
              + ": secret '"
              + name
              + "' was not found on worker "
              + attempt.host()
              + ": "
              + secrets.whereToPut(name),
          null);
    }
    return value.get();
  }

  /**
   * Whether the worker's variable {@code name} must not reach task processes: every {@code
   * CAPSTAN_SECRET_*} (a task gets only the secrets it names, under the names it chose) and the
   * codec keys and API tokens.
   */
  static boolean isWorkerOnly(String name) {
    return name.startsWith(SecretResolver.ENV_PREFIX) || WORKER_ONLY.contains(name);
  }

  /** How much of stdout and of stderr an attempt keeps for {@code capstan logs}. */
  static final int LOG_TAIL_BYTES = 64 * 1024;

  static final int LOG_TAIL_LINES = 500;

  private TaskOutcome runIn(
      Path scratch,
      Path workingDir,
      List<String> command,
      Map<String, String> env,
      Redactor redactor,
      Attempt attempt) {
    Path output = scratch.resolve("output");
    Path stdout = scratch.resolve("stdout");
    Path stderr = scratch.resolve("stderr");
    List<String> argv = new ArrayList<>(command);
    argv.set(0, executable(command.get(0), workingDir, attempt).toString());
    ProcessBuilder builder =
        new ProcessBuilder(Lifeline.wrap(argv))
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    if (workingDir != null) {
      builder.directory(workingDir.toFile());
    }
    builder.environment().keySet().removeIf(ShellExecutor::isWorkerOnly);
    builder.environment().putAll(env);
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
          "cannot start '" + command.get(0) + "': " + redactor.apply(startProblem(e)),
          null);
    }
    closeQuietly(process);
    Lifeline lifeline;
    try {
      lifeline = Lifeline.watch(process);
    } catch (RuntimeException | Error e) {
      // Without its watchdog the task would outlive a dying worker; it must not run unwatched.
      destroyTree(process);
      throw e;
    }
    int exitCode;
    try (lifeline) {
      exitCode = await(process, lifeline, attempt);
    }
    outputs.keepLog(
        attempt,
        "# exit code "
            + exitCode
            + "\n# stdout (end)\n"
            + tail(stdout, LOG_TAIL_BYTES, LOG_TAIL_LINES, redactor)
            + "\n# stderr (end)\n"
            + tail(stderr, LOG_TAIL_BYTES, LOG_TAIL_LINES, redactor)
            + "\n");
    if (exitCode != 0) {
      String tail = tail(stderr, STDERR_TAIL_BYTES, STDERR_TAIL_LINES, redactor);
      throw attempt.retryable(
          TaskFailures.SHELL_EXIT,
          "exit code " + exitCode + ": " + (tail.isEmpty() ? "(no stderr output)" : tail),
          null);
    }
    return output(output, stdout, redactor, attempt, scratch);
  }

  /**
   * Waits for the process, heartbeating every step. When the heartbeat reports a cancellation (or
   * anything else goes wrong) the process and every process it started are stopped first, so a
   * canceled task leaves nothing running on the worker.
   */
  private int await(Process process, Lifeline lifeline, Attempt attempt) {
    long start = clock.nanoTime();
    try {
      while (!process.waitFor(step.toMillis(), TimeUnit.MILLISECONDS)) {
        attempt.heartbeat().beat((clock.nanoTime() - start) / 1_000_000);
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      destroyTree(process);
      lifeline.killGroup();
      Thread.currentThread().interrupt();
      throw Activity.wrap(e);
    } catch (RuntimeException | Error e) {
      destroyTree(process);
      lifeline.killGroup();
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

  /**
   * The attempt's output: what the process wrote to {@code $CAPSTAN_OUTPUT}, or else the last
   * non-blank line of stdout, whole, trimmed and with secrets masked. Either may be as large as
   * {@link Outputs#MAX_OUTPUT_BYTES}; a large one goes to the output store. stdout is read
   * backwards from its end, so a long stdout costs no more than its last line.
   */
  private TaskOutcome output(
      Path output, Path stdout, Redactor redactor, Attempt attempt, Path scratch) {
    try {
      long size = Files.size(output);
      if (size > 0) {
        TaskOutcome written = outputs.succeed(output, 0, size, redactor, attempt, scratch);
        if (written.output() == null || !written.output().isEmpty()) {
          return written;
        }
      }
      try (SeekableByteChannel channel = Files.newByteChannel(stdout)) {
        BackwardReader reader = new BackwardReader(channel);
        long end = reader.skipBack(b -> b <= ' ');
        if (end == 0) {
          return attempt.succeed("");
        }
        long start = reader.skipBack(b -> b != '\n', end - Outputs.MAX_OUTPUT_BYTES - 1);
        return outputs.succeed(stdout, start, end, redactor, attempt, scratch);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Walks a file backwards from its end, a chunk at a time. */
  private static final class BackwardReader {
    private final SeekableByteChannel channel;
    private final ByteBuffer chunk = ByteBuffer.allocate(8192);
    private long chunkStart;
    private long position;

    BackwardReader(SeekableByteChannel channel) throws IOException {
      this.channel = channel;
      this.position = channel.size();
      this.chunkStart = position;
    }

    long skipBack(IntPredicate skip) throws IOException {
      return skipBack(skip, Long.MIN_VALUE);
    }

    /**
     * Moves back over bytes that {@code skip} accepts, stopping at the first it does not (the
     * position after it is returned), at the start of the file, or once past {@code floor}.
     */
    long skipBack(IntPredicate skip, long floor) throws IOException {
      while (position > 0 && position > floor) {
        if (position == chunkStart) {
          fill();
        }
        int b = chunk.get((int) (position - 1 - chunkStart)) & 0xff;
        if (!skip.test(b)) {
          return position;
        }
        position--;
      }
      return position;
    }

    private void fill() throws IOException {
      long from = Math.max(0, position - chunk.capacity());
      chunk.clear().limit((int) (position - from));
      channel.position(from);
      while (chunk.hasRemaining() && channel.read(chunk) >= 0) {
        // Keep reading: a channel may return fewer bytes than asked for.
      }
      chunkStart = from;
    }
  }

  static String tail(Path file, int maxBytes, int maxLines) {
    return tail(file, maxBytes, maxLines, Redactor.NONE);
  }

  /**
   * The last {@code maxLines} lines within the last {@code maxBytes} bytes of {@code file}, without
   * trailing blank lines, secrets masked. A line cut by the byte limit is dropped unless it is the
   * only one, and a cut is marked with a leading "...". Where the cut may have split a secret, the
   * first {@link Redactor#margin()} characters are dropped too, so no fragment of a secret that
   * masking could not recognise survives.
   */
  static String tail(Path file, int maxBytes, int maxLines, Redactor redactor) {
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
        text = text.substring(Math.min(text.length(), redactor.margin()));
        int newline = text.indexOf('\n');
        if (newline >= 0 && newline < text.length() - 1) {
          text = text.substring(newline + 1);
        }
      }
      text = redactor.apply(text);
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

  /**
   * The executable a command's argv[0] names, as the worker will run it: a bare name is looked up
   * on the worker's own {@code PATH} (never the task's, which the definition controls), the way the
   * {@link ShellPolicy} judged it; a path is taken as written, relative to the working directory. A
   * name that finds nothing runnable fails the task at once: no retry can make it appear.
   */
  private static Path executable(String name, Path workingDir, Attempt attempt) {
    Path candidate = null;
    try {
      if (name.contains("/")) {
        Path path = Path.of(name);
        candidate = path.isAbsolute() || workingDir == null ? path : workingDir.resolve(path);
      } else if (!name.isEmpty()) {
        for (String dir : WORKER_PATH.split(":")) {
          if (dir.isEmpty()) {
            continue;
          }
          Path found = Path.of(dir, name);
          if (Files.isRegularFile(found) && Files.isExecutable(found)) {
            return found.toAbsolutePath();
          }
          if (candidate == null && Files.exists(found)) {
            candidate = found;
          }
        }
      }
    } catch (java.nio.file.InvalidPathException e) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START, "cannot start '" + name + "': not a valid path", null);
    }
    if (candidate == null || !Files.exists(candidate)) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START, "cannot start '" + name + "': No such file or directory", null);
    }
    if (!Files.isRegularFile(candidate) || !Files.isExecutable(candidate)) {
      throw attempt.nonRetryable(
          TaskFailures.SHELL_START, "cannot start '" + name + "': Permission denied", null);
    }
    return candidate.toAbsolutePath();
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
