package io.capstan.e2e;

import io.capstan.app.process.ManagedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One run of schemathesis, the pinned version {@code scripts/install-schemathesis.sh} installs into
 * {@code .capstan/tools/venv}, against the OpenAPI document a Capstan API serves. It runs in its
 * report folder, where it also keeps its own caches ({@code .hypothesis}, {@code .schemathesis}),
 * so nothing lands in the checkout.
 *
 * @param exitCode 0 when no check failed and nothing went wrong
 * @param output what it printed, stdout and stderr together
 */
record SchemathesisRun(List<String> command, int exitCode, String output) {
  static final String INSTALL_HINT =
      "run scripts/install-schemathesis.sh (./test.sh runs it) to install the pinned schemathesis";

  private static final Pattern CASES = Pattern.compile("(\\d+) generated");

  static Path binary() {
    return Repo.root().resolve(".capstan/tools/venv/bin/schemathesis");
  }

  /**
   * Runs {@code schemathesis run BASE/api/v1/openapi.json --url BASE ARGUMENTS} in {@code folder},
   * its output kept as {@code schemathesis.log} there; past {@code timeout} it is stopped and the
   * test fails.
   */
  static SchemathesisRun against(
      String base, Path folder, Duration timeout, List<String> arguments) {
    Path binary = binary();
    if (!Files.isExecutable(binary)) {
      throw new AssertionError("no schemathesis at " + binary + ": " + INSTALL_HINT);
    }
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("run");
    command.add(base + "/api/v1/openapi.json");
    command.add("--url");
    command.add(base);
    command.addAll(arguments);
    try (ManagedProcess process =
        ManagedProcess.builder("schemathesis", folder, "schemathesis").command(command).start()) {
      OptionalInt exit = process.awaitExit(timeout);
      if (exit.isEmpty()) {
        throw new AssertionError(
            "schemathesis did not finish within "
                + timeout.toSeconds()
                + " s; "
                + process.logTail());
      }
      return new SchemathesisRun(command, exit.getAsInt(), process.output());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the output of " + binary, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** How many test cases it generated, as its summary says; 0 when it printed no summary. */
  int generatedCases() {
    Matcher cases = CASES.matcher(output);
    int found = 0;
    while (cases.find()) {
      found = Integer.parseInt(cases.group(1));
    }
    return found;
  }

  /** Its output from the first failure or error on, or its last lines when there was none. */
  String failures() {
    int start = output.indexOf("=== FAILURES ===");
    if (start < 0) {
      start = output.indexOf("=== ERRORS ===");
    }
    String text =
        start < 0 ? output : output.substring(Math.max(0, output.lastIndexOf('\n', start)));
    return text.length() > 20_000 ? text.substring(0, 20_000) + "\n…" : text;
  }

  @Override
  public String toString() {
    return String.join(" ", command) + " exited " + exitCode + "\n" + failures();
  }
}
