package io.capstan.workers.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.workers.CapstanMain;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How {@code capstan up}'s flags become the runtime's configuration. */
class UpCommandTest {
  private static CapstanRuntime.Config parse(String... args) {
    CommandLine cli = CapstanMain.commandLine();
    CommandLine.ParseResult result = cli.parseArgs(args);
    UpCommand up = result.subcommand().commandSpec().commandLine().getCommand();
    return up.config();
  }

  @Test
  @DisplayName(
      "by default up serves the API on 127.0.0.1:8080 with an embedded server on 7233 and shell on")
  void defaults() {
    CapstanRuntime.Config config = parse("up");

    assertThat(config.bind()).isEqualTo("127.0.0.1");
    assertThat(config.apiPort()).isEqualTo(8080);
    assertThat(config.embeddedServer()).isTrue();
    assertThat(config.temporalPort()).isEqualTo(7233);
    assertThat(config.namespace()).isEqualTo("default");
    assertThat(config.worker().shellEnabled()).isTrue();
  }

  @Test
  @DisplayName("--temporal, --namespace, --port, --bind and --no-shell are honoured")
  void flags() {
    CapstanRuntime.Config config =
        parse(
            "up",
            "--temporal",
            "temporal.internal:7233",
            "--namespace",
            "capstan",
            "--temporal-ui",
            "http://temporal.internal:8233",
            "--port",
            "9090",
            "--bind",
            "0.0.0.0",
            "--no-shell");

    assertThat(config.embeddedServer()).isFalse();
    assertThat(config.temporalTarget()).isEqualTo("temporal.internal:7233");
    assertThat(config.namespace()).isEqualTo("capstan");
    assertThat(config.temporalUi()).isEqualTo("http://temporal.internal:8233");
    assertThat(config.apiPort()).isEqualTo(9090);
    assertThat(config.bind()).isEqualTo("0.0.0.0");
    assertThat(config.worker().shellEnabled()).isFalse();
  }
}
