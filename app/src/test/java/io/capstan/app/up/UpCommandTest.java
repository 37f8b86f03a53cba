package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.app.CapstanMain;
import io.capstan.app.kube.KubeOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
      "by default up serves the API on 127.0.0.1:8080 and picks the server itself (auto): gRPC on"
          + " 7233, Web UI on 8233, state under .capstan/state, shell on")
  void defaults() {
    CapstanRuntime.Config config = parse("up");

    assertThat(config.bind()).isEqualTo("127.0.0.1");
    assertThat(config.apiPort()).isEqualTo(8080);
    assertThat(config.embeddedServer()).isTrue();
    assertThat(config.temporalMode()).isEqualTo(TemporalMode.AUTO);
    assertThat(config.temporalPort()).isEqualTo(7233);
    assertThat(config.uiPort()).isEqualTo(8233);
    assertThat(config.stateDir()).isEqualTo(CapstanHome.dir().resolve(".capstan/state"));
    assertThat(config.temporalCli()).isNull();
    assertThat(config.namespace()).isEqualTo("default");
    assertThat(config.worker().shellEnabled()).isTrue();
  }

  @Test
  @DisplayName(
      "--temporal-mode, --temporal-port, --ui-port, --state-dir and --temporal-cli configure the"
          + " server up starts")
  void serverFlags() {
    CapstanRuntime.Config config =
        parse(
            "up",
            "--temporal-mode",
            "dev-server",
            "--temporal-port",
            "17233",
            "--ui-port",
            "18233",
            "--state-dir",
            "/var/tmp/capstan-state",
            "--temporal-cli",
            "/opt/temporal/bin/temporal");

    assertThat(config.temporalMode()).isEqualTo(TemporalMode.DEV_SERVER);
    assertThat(config.temporalPort()).isEqualTo(17233);
    assertThat(config.uiPort()).isEqualTo(18233);
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/tmp/capstan-state"));
    assertThat(config.temporalCli()).isEqualTo(Path.of("/opt/temporal/bin/temporal"));
    assertThat(parse("up", "--temporal-mode", "test-server").temporalMode())
        .isEqualTo(TemporalMode.TEST_SERVER);
  }

  @Test
  @DisplayName("an unknown --temporal-mode is a usage error that names the modes")
  void unknownModeIsAUsageError() {
    Run run = execute("up", "--temporal-mode", "cluster");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err())
        .contains("unknown Temporal mode 'cluster': use one of auto, dev-server, test-server");
  }

  @Test
  @DisplayName("--temporal with a --temporal-mode other than auto is a usage error")
  void externalServerWithAModeIsAUsageError() {
    Run run =
        execute("up", "--temporal", "temporal.internal:7233", "--temporal-mode", "dev-server");

    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err())
        .contains("--temporal connects to an external server, so --temporal-mode dev-server");
  }

  private record Run(int code, String err) {}

  private static Run execute(String... args) {
    CommandLine cli = CapstanMain.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    cli.setOut(new PrintWriter(new StringWriter()));
    int code = cli.execute(args);
    return new Run(code, err.toString());
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

  @Test
  @DisplayName(
      "by default up runs container tasks on its local cluster; --kubeconfig and --kube-context"
          + " name another, --no-local-infra none, and a bad namespace template is refused")
  void kubernetesFlags(@TempDir Path dir) throws Exception {
    KubeOptions local = parse("up").kube();
    assertThat(local.mode()).isEqualTo(KubeOptions.Mode.LOCAL);
    assertThat(local.binDir())
        .isEqualTo(CapstanHome.dir().resolve(".capstan/tools/kubernetes/bin"));
    assertThat(local.settings().unschedulableTimeout()).isEqualTo(Duration.ofMinutes(5));

    assertThat(parse("up", "--no-local-infra").kube().mode()).isEqualTo(KubeOptions.Mode.NONE);

    Path kubeconfig = Files.writeString(dir.resolve("config"), "apiVersion: v1\nkind: Config\n");
    KubeOptions external =
        parse(
                "up",
                "--kubeconfig",
                kubeconfig.toString(),
                "--kube-context",
                "prod",
                "--kube-namespace-template",
                "capstan-{namespace}",
                "--pod-unschedulable-timeout",
                "90s")
            .kube();
    assertThat(external.mode()).isEqualTo(KubeOptions.Mode.EXTERNAL);
    assertThat(external.target().kubeconfig()).isEqualTo(kubeconfig);
    assertThat(external.target().context()).isEqualTo("prod");
    assertThat(external.settings().namespaces().apply("team-a")).isEqualTo("capstan-team-a");
    assertThat(external.settings().unschedulableTimeout()).isEqualTo(Duration.ofSeconds(90));

    assertThatThrownBy(() -> parse("up", "--kube-namespace-template", "Capstan_{namespace}"))
        .hasMessageContaining("--kube-namespace-template")
        .hasMessageContaining("DNS label");
    assertThatThrownBy(() -> parse("up", "--kubeconfig", dir.resolve("missing").toString()))
        .hasMessageContaining("is not a readable file");
  }
}
