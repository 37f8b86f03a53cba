package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.OutputRef;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.client.ActivityCanceledException;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellExecutorTest {
  private final Outputs outputs = TestOutputs.temporary();
  private final ShellExecutor executor =
      new ShellExecutor(
          ShellPolicy.allowAll(),
          SecretResolver.none(),
          TaskClock.SYSTEM,
          Duration.ofMillis(50),
          outputs);

  @TempDir Path dir;

  private static Attempt attempt(int number) {
    return attempt(number, RetrySpec.DEFAULT);
  }

  private static Attempt attempt(int number, RetrySpec retry) {
    return new Attempt(
        new TaskContext("run-1", "load", retry, "team-a"), number, "host-a", beat -> {});
  }

  private static ShellSpec sh(String script) {
    return new ShellSpec(List.of("sh", "-c", script), List.of(), null);
  }

  @Test
  @DisplayName("the output is the last non-empty line of stdout")
  void outputIsLastStdoutLine() {
    TaskOutcome outcome =
        executor.run(sh("echo first; echo '  loaded 42 rows  '; echo; echo '   '"), attempt(1));

    assertThat(outcome).isEqualTo(new TaskOutcome("loaded 42 rows", 1, "host-a"));
  }

  @Test
  @DisplayName("a last stdout line far longer than 64 KiB is the output whole, by reference")
  void longLastLineIsWhole() throws Exception {
    TaskOutcome outcome =
        executor.run(
            sh("echo first; head -c 150000 /dev/zero | tr '\\0' x; echo; echo '  '"), attempt(1));

    assertThat(outcome.output()).isNull();
    OutputRef ref = outcome.outputRef();
    assertThat(ref.size()).isEqualTo(150_000);
    assertThat(ref.preview()).isEqualTo("x".repeat(OutputRef.PREVIEW_CHARS));
    assertThat(ref.key()).startsWith("runs/run-1/load/").endsWith(ref.sha256());
    try (var in = outputs.store().open(ref.key())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("x".repeat(150_000));
    }
  }

  @Test
  @DisplayName("an output at the inline limit stays in history; one byte more goes by reference")
  void inlineLimitIsExact() {
    int limit = Outputs.INLINE_BYTES;
    TaskOutcome atLimit =
        executor.run(sh("head -c " + limit + " /dev/zero | tr '\\0' y"), attempt(1));
    TaskOutcome over =
        executor.run(sh("head -c " + (limit + 1) + " /dev/zero | tr '\\0' y"), attempt(1));

    assertThat(atLimit.output()).hasSize(limit);
    assertThat(atLimit.outputRef()).isNull();
    assertThat(over.output()).isNull();
    assertThat(over.outputRef().size()).isEqualTo(limit + 1);
  }

  @Test
  @DisplayName("megabytes of stdout cost nothing: the output is still the short last line")
  void longStdoutShortLastLine() {
    TaskOutcome outcome = executor.run(sh("seq 1 300000; echo 'done: 300000 rows'"), attempt(1));

    assertThat(outcome.output()).isEqualTo("done: 300000 rows");
  }

  @Test
  @DisplayName("an output over 100 MiB fails the task, never cut, saying what to do")
  void outputOverTheLimitFails() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> executor.run(sh("truncate -s 101M \"$CAPSTAN_OUTPUT\""), attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.OUTPUT_TOO_LARGE);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "output is 101.0 MiB; task outputs are limited to 100.0 MiB: write large results to"
                + " your own storage (a bucket, a volume) and output a reference to them");
  }

  @Test
  @DisplayName("a stored output reaches the next task as a file and, when small enough, inline")
  void storedOutputsReachTheNextTask() throws Exception {
    TaskOutcome first =
        executor.run(sh("head -c 20000 /dev/zero | tr '\\0' z > \"$CAPSTAN_OUTPUT\""), attempt(1));
    TaskInputs inputs =
        new TaskInputs(
            Map.of("who", "you"), Map.of("small", "tiny"), Map.of("first", first.outputRef()));
    ShellSpec next =
        new ShellSpec(
            List.of(
                "sh",
                "-c",
                "printf '%s %s %s %s' \"$0\" \"$(wc -c < \"$CAPSTAN_INPUTS/first\")\""
                    + " \"$(cat \"$CAPSTAN_INPUTS/small\")\" \"$1\"",
                "#{first.output}",
                "#{params.who}"),
            List.of(),
            null);

    TaskOutcome outcome = executor.run(next, inputs, attempt(1));

    assertThat(outcome.outputRef().size()).isEqualTo(20000 + 1 + 5 + 1 + 4 + 1 + 3);
    try (var in = outputs.store().open(outcome.outputRef().key())) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
          .isEqualTo("z".repeat(20000) + " 20000 tiny you");
    }
  }

  @Test
  @DisplayName("a stored output too large for a command line fails with the file to read instead")
  void storedOutputTooLargeForArgv() {
    TaskOutcome big =
        executor.run(sh("head -c 200000 /dev/zero | tr '\\0' q > \"$CAPSTAN_OUTPUT\""), attempt(1));
    TaskInputs inputs = new TaskInputs(Map.of(), Map.of(), Map.of("big", big.outputRef()));

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> executor.run(sh("echo #{big.output}"), inputs, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.OUTPUT_TOO_LARGE);
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "the output of 'big' is 200000 bytes, too large to substitute into a command-line"
                + " argument or environment variable (at most 131072 bytes); read it from the"
                + " file $CAPSTAN_INPUTS/big instead");
  }

  @Test
  @DisplayName("a stored output whose bytes changed is refused, never passed on")
  void alteredStoredOutputIsRefused() throws Exception {
    TaskOutcome first =
        executor.run(sh("head -c 9000 /dev/zero | tr '\\0' a > \"$CAPSTAN_OUTPUT\""), attempt(1));
    OutputRef ref = first.outputRef();
    Path altered = Files.writeString(dir.resolve("altered"), "b".repeat(9000));
    outputs.store().put(ref.key(), altered);
    TaskInputs inputs = new TaskInputs(Map.of(), Map.of(), Map.of("first", ref));

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> executor.run(sh("echo #{first.output}"), inputs, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.OUTPUT_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("it was altered or cut");
  }

  @Test
  @DisplayName("what the process writes to $CAPSTAN_OUTPUT wins over stdout, trimmed")
  void capstanOutputFileWins() {
    TaskOutcome outcome =
        executor.run(
            sh("echo noise; printf '\\n s3://bucket/part-0001 \\n\\n' > \"$CAPSTAN_OUTPUT\""),
            attempt(1));

    assertThat(outcome.output()).isEqualTo("s3://bucket/part-0001");
  }

  @Test
  @DisplayName("an empty $CAPSTAN_OUTPUT falls back to the last stdout line")
  void emptyCapstanOutputFallsBackToStdout() {
    TaskOutcome outcome = executor.run(sh(": > \"$CAPSTAN_OUTPUT\"; echo fallback"), attempt(1));

    assertThat(outcome.output()).isEqualTo("fallback");
  }

  @Test
  @DisplayName("the task's env is added to the worker's, and the command runs in workingDir")
  void envAndWorkingDirApply() throws Exception {
    Files.writeString(dir.resolve("marker.txt"), "here");
    ShellSpec spec =
        new ShellSpec(
            List.of("sh", "-c", "echo \"$GREETING $(cat marker.txt) ${PATH:+path} $CAPSTAN_TASK\""),
            List.of(EnvVar.of("GREETING", "hello")),
            dir.toString());

    assertThat(executor.run(spec, attempt(1)).output()).isEqualTo("hello here path load");
  }

  @Test
  @DisplayName("argv is passed as is: no shell interprets it unless the command is a shell")
  void argvIsNotInterpreted() {
    ShellSpec spec = new ShellSpec(List.of("echo", "$HOME", "a;b", "*"), List.of(), null);

    assertThat(executor.run(spec, attempt(1)).output()).isEqualTo("$HOME a;b *");
  }

  @Test
  @DisplayName("a non-zero exit is a retryable failure with the exit code and the stderr tail")
  void nonZeroExitCarriesCodeAndStderrTail() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                executor.run(
                    sh("for i in $(seq 1 30); do echo \"problem $i\" >&2; done; exit 3"),
                    attempt(2)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_EXIT);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .startsWith("exit code 3: ...\nproblem 11\n")
        .endsWith("problem 29\nproblem 30")
        .doesNotContain("problem 10\n");
    assertThat(failure.getDetails().get(0, Integer.class)).isEqualTo(2);
    assertThat(failure.getDetails().get(1, String.class)).isEqualTo("host-a");
  }

  @Test
  @DisplayName("the stderr tail is capped at about 2 KB even when its lines are long")
  void stderrTailIsBounded() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                executor.run(
                    sh(
                        "i=0; while [ $i -lt 200 ]; do printf '%0100d\\n' $i >&2; i=$((i+1)); done;"
                            + " echo 'the real reason' >&2; exit 1"),
                    attempt(1)));

    assertThat(failure.getOriginalMessage()).hasSizeLessThan(2200).endsWith("the real reason");
  }

  @Test
  @DisplayName("an exit without stderr says so")
  void exitWithoutStderr() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> executor.run(sh("exit 7"), attempt(1)));

    assertThat(failure.getOriginalMessage()).isEqualTo("exit code 7: (no stderr output)");
  }

  @Test
  @DisplayName("with linear backoff a shell failure asks for interval × attempt before the next")
  void linearBackoffAppliesToShellFailures() {
    RetrySpec linear = new RetrySpec(5, Backoff.LINEAR, null, null, null, Duration.ofSeconds(10));

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> executor.run(sh("exit 1"), attempt(3, linear)));

    assertThat(failure.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  @DisplayName("a command that does not exist fails without retry")
  void missingCommandIsNotRetried() {
    ShellSpec spec = new ShellSpec(List.of("no-such-command-capstan"), List.of(), null);

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> executor.run(spec, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_START);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("cannot start 'no-such-command-capstan': No such file or directory");
  }

  @Test
  @DisplayName("a program that itself exits 127 is an ordinary failure, retried")
  void exit127OfAProgramIsRetried() {
    ShellSpec spec = new ShellSpec(List.of("sh", "-c", "echo gone >&2; exit 127"), List.of(), null);

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> executor.run(spec, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_EXIT);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).isEqualTo("exit code 127: gone");
  }

  @Test
  @DisplayName("a file that is not executable fails without retry, saying so")
  void notExecutableIsNotRetried() throws Exception {
    Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
    ShellSpec spec = new ShellSpec(List.of(script.toString()), List.of(), null);

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> executor.run(spec, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_START);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("cannot start '" + script + "': Permission denied");
  }

  @Test
  @DisplayName(
      "a bare command name is found on the worker's PATH, never on a PATH the task's env sets")
  void bareNamesUseTheWorkersPath() throws Exception {
    Path decoy = Files.writeString(dir.resolve("echo"), "#!/bin/sh\necho decoy\n");
    decoy.toFile().setExecutable(true);
    ShellSpec spec =
        new ShellSpec(
            List.of("echo", "the real echo"), List.of(EnvVar.of("PATH", dir.toString())), null);

    TaskOutcome outcome = executor.run(spec, attempt(1));

    assertThat(outcome.output()).isEqualTo("the real echo");
  }

  @Test
  @DisplayName("a working directory that does not exist fails without retry")
  void missingWorkingDirIsNotRetried() {
    ShellSpec spec = new ShellSpec(List.of("true"), List.of(), dir.resolve("absent").toString());

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> executor.run(spec, attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_START);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("absent' does not exist");
  }

  @Test
  @DisplayName("a worker without shell enabled refuses shell tasks without retry")
  void disabledShellIsRefused() {
    ShellExecutor disabled =
        new ShellExecutor(
            ShellPolicy.disabled(),
            SecretResolver.none(),
            TaskClock.SYSTEM,
            Duration.ofMillis(50),
            TestOutputs.temporary());

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> disabled.run(sh("echo hi"), attempt(1)));

    assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_DISABLED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "this worker runs shell tasks only when started with shell enabled"
                + " (./capstan up enables it)");
  }

  @Test
  @DisplayName("canceling a shell task kills the process and the processes it started")
  void cancellationKillsTheProcessTree() throws Exception {
    Path childPid = dir.resolve("child.pid");
    AtomicInteger beats = new AtomicInteger();
    Attempt attempt =
        new Attempt(
            new TaskContext("run-1", "load", RetrySpec.DEFAULT, "team-a"),
            1,
            "host-a",
            beat -> {
              // Cancel only once the grandchild exists, so the test sees a whole tree die.
              if (Files.exists(childPid) && beats.incrementAndGet() >= 2) {
                throw new ActivityCanceledException();
              }
            });
    ShellSpec spec = sh("sleep 60 & echo $! > " + childPid + "; wait");

    long start = System.nanoTime();
    assertThatThrownBy(() -> executor.run(spec, attempt))
        .isInstanceOf(ActivityCanceledException.class);

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    long pid = Long.parseLong(Files.readString(childPid).trim());
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
  }
}
