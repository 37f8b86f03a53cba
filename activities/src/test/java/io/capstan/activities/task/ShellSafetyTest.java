package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capstan.definitions.Templates;
import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Shell tasks run only allowed commands, get secrets by name and never leak them")
class ShellSafetyTest {
  private static final String SECRET = "hunter2-Zx9!q";
  private static final SecretResolver SECRETS =
      SecretResolver.fromEnvironment(Map.of("CAPSTAN_SECRET_DB_PASSWORD", SECRET), null);

  @TempDir Path dir;

  private static ShellExecutor executor(ShellPolicy policy) {
    return new ShellExecutor(
        policy, SECRETS, TaskClock.SYSTEM, Duration.ofMillis(50), TestOutputs.temporary());
  }

  private static Attempt attempt(String namespace) {
    return new Attempt(
        new TaskContext("run-1", "load", RetrySpec.DEFAULT, namespace), 1, "host-a", beat -> {});
  }

  private static ShellSpec sh(String script, EnvVar... env) {
    return new ShellSpec(List.of("sh", "-c", script), List.of(env), null);
  }

  @Nested
  @DisplayName("secrets")
  class Secrets {
    private final ShellExecutor executor = executor(ShellPolicy.allowAll());

    @Test
    void aSecretReferenceReachesTheProcessAsItsVariable() {
      String output =
          executor
              .run(
                  sh(
                      "test \"$PASSWORD\" = '" + SECRET + "' && echo matched",
                      EnvVar.secret("PASSWORD", "db-password")),
                  attempt("team-a"))
              .output();

      assertThat(output).isEqualTo("matched");
    }

    @Test
    void aSecretPrintedToStdoutIsMaskedInTheOutput() {
      String output =
          executor
              .run(
                  sh("echo \"password is $PASSWORD\"", EnvVar.secret("PASSWORD", "db-password")),
                  attempt("team-a"))
              .output();

      assertThat(output).isEqualTo("password is ***");
    }

    @Test
    void aSecretWrittenToCapstanOutputIsMaskedToo() {
      String output =
          executor
              .run(
                  sh(
                      "printf 'line1 %s\\nline2 %s\\n' \"$PASSWORD\" \"$PASSWORD\""
                          + " > \"$CAPSTAN_OUTPUT\"",
                      EnvVar.secret("PASSWORD", "db-password")),
                  attempt("team-a"))
              .output();

      assertThat(output).isEqualTo("line1 ***\nline2 ***");
    }

    @Test
    void aSecretInTheStderrTailOfAFailureIsMasked() {
      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () ->
                  executor.run(
                      sh(
                          "echo \"cannot log in with $PASSWORD\" >&2; exit 4",
                          EnvVar.secret("PASSWORD", "db-password")),
                      attempt("team-a")));

      assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_EXIT);
      assertThat(failure.getOriginalMessage())
          .isEqualTo("exit code 4: cannot log in with ***")
          .doesNotContain(SECRET);
    }

    @Test
    void aSecretCutInTwoByTheTailLimitLeavesNoFragmentBehind() throws Exception {
      // One long stderr line whose 2 KB tail starts in the middle of the secret.
      String script =
          "printf '%s' \"$PASSWORD\" >&2; head -c "
              + (ShellExecutor.STDERR_TAIL_BYTES - 5)
              + " /dev/zero | tr '\\0' x >&2; exit 1";

      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () ->
                  executor.run(sh(script, EnvVar.secret("PASSWORD", "db-password")), attempt("a")));

      String message = failure.getOriginalMessage();
      assertThat(message).startsWith("exit code 1: ...\nxxx");
      assertThat(message).doesNotContain(SECRET.substring(SECRET.length() - 5));
    }

    @Test
    void aMissingSecretFailsWithoutRetryNamingItButNoValue() {
      Path marker = dir.resolve("ran");

      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class,
              () ->
                  executor.run(
                      sh("touch " + marker, EnvVar.secret("TOKEN", "api-token")),
                      attempt("team-a")));

      assertThat(failure.getType()).isEqualTo(TaskFailures.SECRET_NOT_FOUND);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .isEqualTo(
              "env TOKEN: secret 'api-token' was not found on worker host-a: set"
                  + " CAPSTAN_SECRET_API_TOKEN in the worker's environment (or start the worker"
                  + " with --secrets-dir)");
      assertThat(marker).doesNotExist();
    }

    @Test
    void aSecretFromTheSecretsDirectoryIsUsedAndMasked() throws Exception {
      Files.writeString(dir.resolve("api-token"), "tok-from-file-771\n");
      ShellExecutor withDir =
          new ShellExecutor(
              ShellPolicy.allowAll(),
              SecretResolver.fromEnvironment(Map.of(), dir),
              TaskClock.SYSTEM,
              Duration.ofMillis(50),
              TestOutputs.temporary());

      String output =
          withDir
              .run(sh("echo \"[$TOKEN]\"", EnvVar.secret("TOKEN", "api-token")), attempt("a"))
              .output();

      assertThat(output).isEqualTo("[***]");
    }

    @Test
    void theWorkersOwnSecretsAndKeysAreNotInheritedByTasks() {
      assertThat(ShellExecutor.isWorkerOnly("CAPSTAN_SECRET_DB_URL")).isTrue();
      assertThat(ShellExecutor.isWorkerOnly("CAPSTAN_CODEC_KEYS")).isTrue();
      assertThat(ShellExecutor.isWorkerOnly("CAPSTAN_TOKENS")).isTrue();
      assertThat(ShellExecutor.isWorkerOnly("PATH")).isFalse();
      // The build starts this JVM with a probe secret in its environment (see the module's pom).
      assumeTrue(System.getenv("CAPSTAN_SECRET_INHERITANCE_PROBE") != null);

      String output =
          executor
              .run(
                  sh("env | grep -c '^CAPSTAN_SECRET_\\|^CAPSTAN_CODEC_KEYS=' || true"),
                  attempt("a"))
              .output();

      assertThat(output).isEqualTo("0");
    }
  }

  @Nested
  @DisplayName("the shell policy")
  class Policy {
    private final ShellPolicy policy =
        new ShellPolicy(true, Map.of("team-a", List.of("sh", "python3"), "*", List.of("echo")));

    @Test
    void aCommandOutsideTheNamespacesListIsRefusedBeforeAnythingStarts() {
      Path marker = dir.resolve("ran");
      ShellSpec spec = new ShellSpec(List.of("touch", marker.toString()), List.of(), null);

      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class, () -> executor(policy).run(spec, attempt("team-a")));

      assertThat(failure.getType()).isEqualTo(TaskFailures.SHELL_NOT_ALLOWED);
      assertThat(failure.isNonRetryable()).isTrue();
      assertThat(failure.getOriginalMessage())
          .isEqualTo(
              "command 'touch' is not allowed for namespace 'team-a': allowed are sh, python3;"
                  + " ask an admin to add it to the shell policy");
      assertThat(marker).doesNotExist();
    }

    @Test
    void theSameCommandRunsWhereTheNamespaceAllowsIt() {
      assertThat(executor(policy).run(sh("echo ok"), attempt("team-a")).output()).isEqualTo("ok");
      ShellSpec echo = new ShellSpec(List.of("echo", "fine"), List.of(), null);
      assertThat(executor(policy).run(echo, attempt("team-b")).output()).isEqualTo("fine");
      assertThat(
              catchThrowableOfType(
                      ApplicationFailure.class,
                      () -> executor(policy).run(sh("echo"), attempt("b")))
                  .getType())
          .isEqualTo(TaskFailures.SHELL_NOT_ALLOWED);
    }

    @Test
    void aCommandChosenByAParameterIsCheckedAfterRendering() {
      ShellSpec spec =
          new ShellSpec(List.of("#{params.tool}", "x"), List.of(), null)
              .render(Templates.renderer(Map.of("tool", "curl"), Map.of()));

      ApplicationFailure failure =
          catchThrowableOfType(
              ApplicationFailure.class, () -> executor(policy).run(spec, attempt("team-a")));

      assertThat(failure.getOriginalMessage()).startsWith("command 'curl' is not allowed");
    }
  }

  @Nested
  @DisplayName("parameters")
  class Parameters {
    @Test
    void aParameterValueWithShellSyntaxStaysOneArgument() {
      Path victim = dir.resolve("victim");
      String hostile = "x; rm -rf " + victim + " && echo pwned $(id) `id` | tee out";
      ShellSpec spec =
          new ShellSpec(List.of("printf", "[%s]\\n", "#{params.name}"), List.of(), null)
              .render(Templates.renderer(Map.of("name", hostile), Map.of()));

      assertThat(spec.command()).hasSize(3).last().isEqualTo(hostile);
      try {
        Files.createDirectory(victim);
        String output = executor(ShellPolicy.allowAll()).run(spec, attempt("a")).output();

        assertThat(output).isEqualTo("[" + hostile + "]");
        assertThat(victim).isDirectory();
        assertThat(dir.resolve("out")).doesNotExist();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Test
    void aParameterPassedToShAsAnArgumentIsNotParsedByIt() {
      ShellSpec spec =
          new ShellSpec(
                  List.of("sh", "-c", "echo \"$# args: $1\"", "sh", "#{params.name}"),
                  List.of(),
                  null)
              .render(Templates.renderer(Map.of("name", "a b; echo injected"), Map.of()));

      String output = executor(ShellPolicy.allowAll()).run(spec, attempt("a")).output();

      assertThat(output).isEqualTo("1 args: a b; echo injected");
    }
  }
}
