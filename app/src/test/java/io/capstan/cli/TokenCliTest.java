package io.capstan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.ApiApp;
import io.capstan.api.Bearer;
import io.capstan.api.TestTemporal;
import io.capstan.api.auth.TokenHashes;
import io.javalin.testtools.JavalinTest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

@DisplayName("The CLI's tokens: capstan token hash, and --token on every call")
class TokenCliTest {
  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private static CapstanCliTest.Run withStdin(String stdin, String... args) {
    InputStream saved = System.in;
    System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    try {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      CommandLine cli = io.capstan.app.CapstanMain.commandLine();
      cli.setOut(new PrintWriter(out, true));
      cli.setErr(new PrintWriter(err, true));
      int code = cli.execute(args);
      return new CapstanCliTest.Run(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }

  @Test
  @DisplayName("token hash prints the SHA-256 of the token on stdin, without its final newline")
  void hashPrintsSha256() {
    CapstanCliTest.Run run = withStdin("s3cret-token\n", "token", "hash");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).isEqualTo(TokenHashes.sha256Hex("s3cret-token"));
  }

  @Test
  @DisplayName("token hash with nothing on stdin is a usage error saying how to pipe one in")
  void hashNeedsAToken() {
    CapstanCliTest.Run run = withStdin("  \n", "token", "hash");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("no token on stdin");
  }

  @Test
  @DisplayName(
      "--token is sent as a bearer token; without it an API with authentication says what to do")
  void tokenIsSent() {
    JavalinTest.test(
        ApiApp.create(temporal.deps().withSecurity(Bearer.security())),
        (server, client) -> {
          CapstanCliTest.Run without = CapstanCliTest.capstan("--api", client.getOrigin(), "list");
          assertThat(without.exitCode()).isEqualTo(1);
          assertThat(without.err())
              .contains("error: authentication required: send the header Authorization: Bearer")
              .contains("$CAPSTAN_TOKEN");

          CapstanCliTest.Run with =
              CapstanCliTest.capstan("--api", client.getOrigin(), "--token", Bearer.VIEWER, "list");
          assertThat(with.exitCode()).as(with.err()).isZero();
        });
  }
}
