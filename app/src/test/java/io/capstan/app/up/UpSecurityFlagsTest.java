package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.capstan.api.auth.SubmitRate;
import io.capstan.app.CapstanMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code capstan up}'s security flags. */
@DisplayName("up's security flags")
class UpSecurityFlagsTest {
  private static CapstanRuntime.Config parse(String... args) {
    CommandLine cli = CapstanMain.commandLine();
    CommandLine.ParseResult result = cli.parseArgs(args);
    UpCommand up = result.subcommand().commandSpec().commandLine().getCommand();
    return up.config();
  }

  private record Run(int code, String out, String err) {}

  private static Run execute(String... args) {
    CommandLine cli = CapstanMain.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  @DisplayName(
      "by default auth is auto (on only with tokens), submits are 10/s with a burst of 20, metrics"
          + " open, every shell command, no secrets folder")
  void defaults() {
    SecurityOptions security = parse("up").security();

    assertThat(security.auth()).isEqualTo(AuthMode.AUTO);
    assertThat(security.authFile()).isNull();
    assertThat(security.submitRate()).isEqualTo(new SubmitRate(10, 20));
    assertThat(security.metricsAuth()).isFalse();
    assertThat(security.codecOrigins()).isEmpty();
    assertThat(security.shellPolicy()).isNull();
    assertThat(security.secretsDir()).isNull();
  }

  @Test
  @DisplayName(
      "--auth, --auth-file, --submit-rate, --metrics-auth, --codec-origin, --shell-policy and"
          + " --secrets-dir are honoured")
  void flags() {
    SecurityOptions security =
        parse(
                "up",
                "--auth",
                "on",
                "--auth-file",
                "/etc/capstan/tokens.yaml",
                "--submit-rate",
                "5/8",
                "--metrics-auth",
                "--codec-origin",
                "https://temporal.example.com",
                "--codec-origin",
                "http://127.0.0.1:8233",
                "--shell-policy",
                "/etc/capstan/shell.yaml",
                "--secrets-dir",
                "/run/secrets/capstan")
            .security();

    assertThat(security.auth()).isEqualTo(AuthMode.ON);
    assertThat(security.authFile()).isEqualTo(Path.of("/etc/capstan/tokens.yaml"));
    assertThat(security.submitRate()).isEqualTo(new SubmitRate(5, 8));
    assertThat(security.metricsAuth()).isTrue();
    assertThat(security.codecOrigins())
        .isEqualTo(List.of("https://temporal.example.com", "http://127.0.0.1:8233"));
    assertThat(security.shellPolicy()).isEqualTo(Path.of("/etc/capstan/shell.yaml"));
    assertThat(security.secretsDir()).isEqualTo(Path.of("/run/secrets/capstan"));
    assertThat(parse("up", "--auth", "off").security().auth()).isEqualTo(AuthMode.OFF);
    assertThat(parse("up", "--submit-rate", "off").security().submitRate().limited()).isFalse();
  }

  @Test
  @DisplayName("an unknown --auth or an unreadable --submit-rate is a usage error saying why")
  void badValuesAreUsageErrors() {
    Run auth = execute("up", "--auth", "maybe");
    assertThat(auth.code()).isEqualTo(2);
    assertThat(auth.err()).contains("unknown --auth value 'maybe': use on, off or auto");

    Run rate = execute("up", "--submit-rate", "lots");
    assertThat(rate.code()).isEqualTo(2);
    assertThat(rate.err()).contains("invalid submit rate 'lots'");
  }

  @Test
  @DisplayName(
      "up on a non-loopback address without tokens exits 1 before starting anything, with the fix")
  void nonLoopbackWithoutAuthExits() {
    // Tokens in the test's own environment would turn authentication on; tests run without.
    assumeTrue(
        System.getenv("CAPSTAN_TOKENS") == null && System.getenv("CAPSTAN_AUTH_FILE") == null,
        "no tokens in the environment");
    Run run = execute("up", "--bind", "0.0.0.0", "--temporal-mode", "test-server", "--port", "0");

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err())
        .startsWith("capstan up: refusing to serve the API on 0.0.0.0 without authentication")
        .contains("--bind 127.0.0.1");
    assertThat(run.out()).doesNotContain("Capstan is up");
  }
}
