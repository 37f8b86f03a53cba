package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Schemathesis (from PyPI, pinned by {@code scripts/install-schemathesis.sh}) reads the API's own
 * OpenAPI document and sends it thousands of generated requests, valid and invalid, including
 * sequences that follow the document's links from a submitted run to its signals and cancel. No
 * answer may be a server error, and every answer must match the schema documented for its status.
 *
 * <p>Its seed is printed ({@code schemathesis seed: N}); {@code -Dschemathesis.seed=N} replays it.
 * Its output and JUnit report stay in {@code e2e/target/e2e/SchemathesisIT/schemathesis/}.
 */
class SchemathesisIT {
  @RegisterExtension static final RealStack stack = new RealStack();

  /** Test cases per operation and phase: enough to reach every status, bounded to a minute. */
  private static final int MAX_EXAMPLES = 25;

  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  /** A run and a schedule exist before it starts, so its links and lists lead somewhere real. */
  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: schemathesis-seed, namespace: e2e}
      spec:
        tasks:
          - name: first
            simulate: {duration: 30s, output: one}
          - name: second
            dependsOn: [first]
            simulate: {duration: 1s, output: "#{first.output} two"}
      """;

  private static final String PAUSED_SCHEDULE =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: schemathesis-nightly, namespace: e2e}
      spec:
        simulate: {duration: 500ms, output: report}
        schedule: {cron: "0 3 * * *", timezone: UTC, paused: true}
      """;

  @Test
  @DisplayName("schemathesis finds no server error and no answer that breaks the documented schema")
  void schemathesisFindsNoServerErrorAndNoSchemaViolation() {
    Api api = stack.api();
    api.submit(PIPELINE);
    Api.Response schedule = api.post("/api/v1/runs", Api.YAML, PAUSED_SCHEDULE);
    assertThat(schedule.status()).as(schedule.toString()).isEqualTo(201);

    String seed = System.getProperty("schemathesis.seed", "").trim();
    if (seed.isEmpty()) {
      seed = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE);
    }
    System.out.println(
        "schemathesis seed: " + seed + " (rerun with -Dschemathesis.seed=" + seed + ")");
    Path folder = stack.logs().resolve("schemathesis");
    SchemathesisRun run =
        SchemathesisRun.against(
            api.base(),
            folder,
            TIMEOUT,
            List.of(
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                Integer.toString(MAX_EXAMPLES),
                "--seed",
                seed,
                // One worker: CPython 3.11's parser is not thread-safe, and Hypothesis parses
                // the source of its strategies, which fails now and then with several workers.
                "--workers",
                "1",
                "--request-timeout",
                "10",
                "--generation-database",
                "none",
                "--no-color",
                "--report",
                "junit",
                "--report-dir",
                folder.resolve("report").toString()));

    System.out.println(
        "schemathesis: exit " + run.exitCode() + ", " + run.generatedCases() + " test cases");
    assertThat(run.exitCode())
        .as("schemathesis (seed %s; full output in %s):\n%s", seed, folder, run)
        .isZero();
    assertThat(run.output()).doesNotContain("Server error");
    assertThat(run.generatedCases()).as("test cases schemathesis generated").isGreaterThan(500);
  }
}
