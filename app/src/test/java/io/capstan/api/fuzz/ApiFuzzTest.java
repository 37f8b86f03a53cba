package io.capstan.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.ApiApp;
import io.capstan.api.Http;
import io.capstan.api.TestTemporal;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.definitions.fuzz.DefinitionFuzzer;
import io.capstan.definitions.fuzz.FuzzCase;
import io.capstan.definitions.fuzz.FuzzSeed;
import io.capstan.definitions.fuzz.HostileValues;
import io.capstan.workflows.run.RunPhase;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Sends generated and mutated definitions to the API as a hostile client would: every case to
 * {@code POST /api/v1/validate}, a share of them (and every one that validated) to {@code POST
 * /api/v1/runs}, with varied content types, parameter overrides and idempotency keys. No answer is
 * a 5xx, none takes a second, and every 4xx says what to fix.
 *
 * <p>The seed is printed first ({@code api fuzz seed: N}); {@code -Dfuzz.seed=N} replays the run,
 * {@code -Dfuzz.case=K} only its case K, {@code -Dfuzz.cases=C} changes how many are made. The
 * figures (cases, slowest answer, statuses) are printed and kept in {@code
 * target/fuzz/api-fuzz-report.txt}.
 */
@DisplayName("Fuzzed definitions sent to the API: never a 5xx, each answered in under a second")
class ApiFuzzTest {
  private static final int DEFAULT_CASES = 1200;

  /** At least this many go to {@code POST /api/v1/runs}. */
  private static final int MIN_SUBMITS = 250;

  /** Valid definitions start runs; this many at most, so the test server stays responsive. */
  private static final int MAX_VALID_SUBMITS = 150;

  private static final Duration LIMIT = Duration.ofSeconds(1);

  /**
   * A submit of several documents starts their runs one after another, a round trip to Temporal
   * each, so each run started after the first adds this to the time allowed.
   */
  private static final Duration PER_EXTRA_RUN = Duration.ofMillis(10);

  /** What each MiB of a request body beyond the first adds to the time allowed. */
  private static final Duration PER_EXTRA_MIB = Duration.ofSeconds(1);

  private static final Path REPORT = Path.of("target", "fuzz", "api-fuzz-report.txt");
  private static final Path FAILURES = Path.of("target", "fuzz", "api");

  /** Submitted after the fuzzing: the API must still start and finish an ordinary run. */
  private static final String STILL_RUNS =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: after-the-fuzz}
      spec:
        tasks:
          - {name: a, simulate: {output: x}}
          - {name: b, dependsOn: [a], simulate: {output: "#{a.output}y"}}
      """;

  private static TestTemporal temporal;
  private static FuzzSeed seed;
  private static DefinitionFuzzer fuzzer;

  @BeforeAll
  static void startTemporal() {
    seed = FuzzSeed.fromSystemProperties("api");
    temporal = TestTemporal.start();
    fuzzer = new DefinitionFuzzer(seed.value(), DefinitionFuzzer.examplesAndInline());
  }

  @AfterAll
  static void stopTemporal() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  @DisplayName(
      "validate and submit answer every fuzzed definition without a 5xx, in under a second, and"
          + " every 4xx names what to fix")
  void everyCaseIsAnsweredWithoutServerErrorInUnderASecond() {
    int count = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
    List<Integer> indexes =
        seed.onlyCase().isPresent()
            ? List.of(seed.onlyCase().getAsInt())
            : IntStream.range(0, count).boxed().toList();
    // Shell tasks would run fuzzed commands on this machine: only simulated tasks are served, so
    // a valid shell definition is refused at submit like any unserved executor.
    var app = ApiApp.create(temporal.deps(EnumSet.of(ExecutorKind.SIMULATE)));
    Figures figures = new Figures();
    JavalinTest.test(
        app,
        (server, client) -> {
          Http http = new Http(client);
          // The first request pays for class loading and the schema's compilation.
          http.post("/api/v1/validate", fuzzer.sources().get(0).text(), Http.YAML);
          int validSubmits = 0;
          for (int index : indexes) {
            FuzzCase fuzzCase = fuzzer.generate(index);
            Request request = Request.of(fuzzCase, seed.value());
            int status = figures.send(http, "validate", fuzzCase, request);
            boolean submit = (status == 200 && validSubmits < MAX_VALID_SUBMITS) || index % 6 == 0;
            if (submit) {
              validSubmits += status == 200 ? 1 : 0;
              figures.send(http, "runs", fuzzCase, request);
            }
          }
          // Top up the submissions from the cases not sent yet, when few validated.
          for (int index = 0;
              seed.onlyCase().isEmpty() && figures.count("runs") < MIN_SUBMITS;
              index++) {
            FuzzCase fuzzCase = fuzzer.generate(count + index);
            figures.send(http, "runs", fuzzCase, Request.of(fuzzCase, seed.value()));
          }
          // The API is still up and still starts runs after all of that.
          Http.Answer health = http.get("/healthz");
          assertThat(health.status()).isEqualTo(200);
          Http.Answer run = http.post("/api/v1/runs", STILL_RUNS, Http.YAML);
          assertThat(run.status()).as(run.text()).isEqualTo(201);
          assertThat(temporal.awaitResult(run.json().path("id").asText()).phase())
              .isEqualTo(RunPhase.SUCCEEDED);
        });

    String summary = figures.summary(indexes.size());
    System.out.println(summary);
    write(REPORT, summary + "\n" + seed.rerun() + "\n");
    assertThat(figures.failures).as("failed requests; seed %d", seed.value()).isEmpty();
    if (seed.onlyCase().isEmpty()) {
      assertThat(figures.count("validate")).isGreaterThanOrEqualTo(1000);
      assertThat(figures.count("runs")).isGreaterThanOrEqualTo(200);
      assertThat(figures.statuses.get("validate").getOrDefault(200, 0))
          .as("cases that validated")
          .isGreaterThan(count / 20);
      assertThat(figures.statuses.get("runs").getOrDefault(201, 0))
          .as("runs started")
          .isGreaterThan(10);
    }
  }

  /** How a case is sent: content type, query and headers, varied from the case's own seed. */
  record Request(String contentType, String query, Map<String, String> headers) {
    static Request of(FuzzCase fuzzCase, long seed) {
      Random random = new Random(DefinitionFuzzer.mix(seed ^ (31L * fuzzCase.index() + 7)));
      String contentType =
          switch (random.nextInt(12)) {
            case 0 -> null;
            case 1 -> "text/plain";
            case 2 -> "application/x-www-form-urlencoded";
            case 3 -> fuzzCase.json() ? Http.YAML : Http.JSON;
            case 4 -> "application/yaml; charset=utf-16";
            case 5 -> "application/vnd.capstan+json";
            default -> fuzzCase.json() ? Http.JSON : Http.YAML;
          };
      StringBuilder query = new StringBuilder();
      if (random.nextInt(4) == 0) {
        int params = 1 + random.nextInt(3);
        for (int i = 0; i < params; i++) {
          String name =
              random.nextInt(4) == 0
                  ? HostileValues.randomUnicode(random, 1 + random.nextInt(6))
                  : HostileValues.pick(random, "source", "region", "day", "p0", "x");
          String value =
              random.nextInt(5) == 0
                  ? HostileValues.randomUnicode(random, random.nextInt(50))
                  : HostileValues.pick(
                      random, "db", "", "#{params.source}", "x".repeat(1500), "x".repeat(7000));
          query
              .append(query.isEmpty() ? "?" : "&")
              .append(encode("param." + name))
              .append('=')
              .append(encode(value));
        }
      }
      Map<String, String> headers = new LinkedHashMap<>();
      if (random.nextInt(5) == 0) {
        // ASCII only: OkHttp refuses any other header value before it is sent.
        headers.put(
            "Idempotency-Key",
            HostileValues.pick(
                random, "k-" + random.nextInt(50), "x".repeat(256), " ", "retry-1", "\"';--"));
      }
      return new Request(contentType, query.toString(), headers);
    }

    private static String encode(String text) {
      return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
  }

  /** Statuses, times and failures of every request sent. */
  private static final class Figures {
    final Map<String, Map<Integer, Integer>> statuses = new TreeMap<>();
    final List<String> failures = new ArrayList<>();
    long slowestNanos;
    String slowest = "";
    long slowestSingleNanos;
    String slowestSingle = "";

    /** Nanoseconds for the same request again (a failed one counts as forever). */
    private long timeAgain(Http http, String path, FuzzCase fuzzCase, Request request) {
      long start = System.nanoTime();
      try {
        http.post(path, fuzzCase.body(), request.contentType(), request.headers());
      } catch (RuntimeException e) {
        return Long.MAX_VALUE;
      }
      return System.nanoTime() - start;
    }

    int send(Http http, String route, FuzzCase fuzzCase, Request request) {
      String path = "/api/v1/" + route + request.query();
      long start = System.nanoTime();
      Http.Answer answer;
      try {
        answer = http.post(path, fuzzCase.body(), request.contentType(), request.headers());
      } catch (RuntimeException e) {
        fail(route, fuzzCase, request, "the request failed: " + e);
        return -1;
      }
      long nanos = System.nanoTime() - start;
      statuses.computeIfAbsent(route, r -> new TreeMap<>()).merge(answer.status(), 1, Integer::sum);
      int documents = documents(fuzzCase);
      if (nanos > slowestNanos) {
        slowestNanos = nanos;
        slowest = "POST " + route + " " + fuzzCase;
      }
      if (documents <= 1 && nanos > slowestSingleNanos) {
        slowestSingleNanos = nanos;
        slowestSingle = "POST " + route + " " + fuzzCase;
      }
      int started = answer.status() < 300 ? Math.max(1, answer.json().path("runs").size()) : 0;
      Duration allowed =
          route.equals("runs")
              ? LIMIT.plus(PER_EXTRA_RUN.multipliedBy(Math.max(0, started - 1)))
              : LIMIT;
      // The API reads up to 16 MiB (a pipeline of 100,000 tasks): a body of several MiB is read
      // and validated in seconds, so each MiB beyond the first adds to the time allowed.
      allowed = allowed.plus(PER_EXTRA_MIB.multipliedBy(Math.max(0, fuzzCase.body().length >> 20)));
      if (answer.status() < 500 && nanos > allowed.toNanos()) {
        // Timed once more before it counts as slow: one answer on a busy 2-core machine can
        // take a GC pause or a JIT compilation; a case that is slow by nature is slow again.
        nanos = Math.min(nanos, timeAgain(http, path, fuzzCase, request));
      }
      if (answer.status() >= 500) {
        fail(route, fuzzCase, request, "answered " + answer.status() + ": " + answer.text());
      } else if (nanos > allowed.toNanos()) {
        fail(
            route,
            fuzzCase,
            request,
            "took " + nanos / 1_000_000 + " ms, over the " + allowed.toMillis() + " ms allowed");
      } else if (answer.status() >= 400) {
        String unexplained = unexplained(answer);
        if (unexplained != null) {
          fail(route, fuzzCase, request, unexplained + ": " + answer.text());
        }
      } else if (answer.status() != 200 && answer.status() != 201) {
        fail(route, fuzzCase, request, "answered " + answer.status() + ": " + answer.text());
      }
      if (route.equals("runs") && answer.status() < 300) {
        terminate(answer.json());
      }
      return answer.status();
    }

    /**
     * Ends the runs a submit started. Only the answer is under test, and hundreds of fuzzed runs
     * (some of thousands of tasks) left running would compete for the two cores with the requests
     * being timed.
     */
    private static void terminate(JsonNode answer) {
      List<JsonNode> runs = new ArrayList<>();
      answer.path("runs").forEach(runs::add);
      if (runs.isEmpty()) {
        runs.add(answer);
      }
      for (JsonNode run : runs) {
        String id = run.path("id").asText("");
        if (!id.isEmpty()) {
          try {
            temporal
                .client()
                .newUntypedWorkflowStub(id)
                .terminate("fuzz test: only the answer counts");
          } catch (RuntimeException alreadyClosed) {
            // A run that already ended needs nothing more.
          }
        }
      }
    }

    /** How many documents the body holds, near enough: one more than its "---" lines. */
    static int documents(FuzzCase fuzzCase) {
      String text = new String(fuzzCase.body(), StandardCharsets.UTF_8);
      return 1 + (int) text.lines().filter(line -> line.startsWith("---")).count();
    }

    int count(String route) {
      return statuses.getOrDefault(route, Map.of()).values().stream().mapToInt(i -> i).sum();
    }

    /**
     * Why a refusal does not tell a person what to fix, or null when it does: it has a one-line
     * {@code error} and {@code details}, each with a message and the path it is about; with no
     * details, the error itself says what to do (after its colon) or names the limit.
     */
    static String unexplained(Http.Answer answer) {
      JsonNode body = answer.json();
      if (!body.path("error").isTextual() || body.path("error").asText().isBlank()) {
        return "a refusal without an error";
      }
      JsonNode details = body.path("details");
      if (!details.isArray()) {
        return "a refusal without details";
      }
      for (JsonNode detail : details) {
        if (!detail.path("message").isTextual() || detail.path("message").asText().isBlank()) {
          return "a detail without a message";
        }
        if (!detail.path("path").isTextual()) {
          return "a detail without a path";
        }
        if (detail.path("path").asText().isEmpty() && !detail.path("line").isInt()) {
          return "a detail with neither a path nor a line";
        }
      }
      String error = body.path("error").asText();
      if (details.isEmpty() && !error.contains(": ") && !error.contains("limit")) {
        return "a refusal with no details and no advice in its error";
      }
      return null;
    }

    private void fail(String route, FuzzCase fuzzCase, Request request, String why) {
      failures.add(
          "POST /api/v1/"
              + route
              + DefinitionFuzzer.abbreviate(request.query())
              + " ("
              + request.contentType()
              + ") "
              + fuzzCase
              + ": "
              + DefinitionFuzzer.abbreviate(why.replace('\n', ' '))
              + " ["
              + seed.rerun(fuzzCase.index())
              + "]");
      Path file = FAILURES.resolve("case-" + seed.value() + "-" + fuzzCase.index() + ".body");
      try {
        Files.createDirectories(FAILURES);
        Files.write(file, fuzzCase.body());
      } catch (IOException e) {
        failures.add("cannot keep the body of " + fuzzCase + " in " + file + ": " + e);
      }
    }

    String summary(int cases) {
      return String.format(
          "api fuzz: %d cases, %d requests (validate %d, runs %d), largest response time %d ms"
              + " (%s), largest for one document %d ms (%s), statuses %s",
          cases,
          count("validate") + count("runs"),
          count("validate"),
          count("runs"),
          slowestNanos / 1_000_000,
          slowest,
          slowestSingleNanos / 1_000_000,
          slowestSingle,
          statuses);
    }
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }
}
