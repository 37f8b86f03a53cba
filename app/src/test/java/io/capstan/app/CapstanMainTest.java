package io.capstan.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CapstanMainTest {
  @Test
  @DisplayName("capstan --help lists up beside the API's client commands")
  void helpListsUpAndClientCommands() {
    CommandLine cli = CapstanMain.commandLine();
    StringWriter out = new StringWriter();
    cli.setOut(new PrintWriter(out));

    int code = cli.execute("--help");

    assertThat(code).isZero();
    assertThat(cli.getSubcommands()).containsKeys("up", "submit", "get", "watch", "list");
    assertThat(out.toString()).contains("up ", "submit");
  }
}
