package io.capstan.definitions.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionException;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.Problem;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.pipeline.Planner;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RollingUpdateSpec;
import io.capstan.definitions.rollout.RolloutBudget;
import io.capstan.definitions.rollout.RolloutStrategy;
import io.capstan.definitions.rollout.RolloutWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * Feeds generated and mutated definitions to the parser. Whatever the input, the parser returns
 * bound definitions or throws a {@link DefinitionException} that tells a person what to fix, and it
 * never hangs: a case that takes {@link #LIMIT} fails. Typical cases take milliseconds (the slowest
 * is printed); the guard is loose because this is a correctness test on a shared CI machine, not a
 * speed goal (a 262 KB case took just over a second once while the machine was busy).
 *
 * <p>The seed is printed first ({@code fuzz seed: N}); {@code -Dfuzz.seed=N} replays the run,
 * {@code -Dfuzz.case=K} only its case K, and {@code -Dfuzz.cases=C} changes how many are made.
 */
@DisplayName("Fuzzed definitions: the parser answers every one, never crashing or hanging")
class DefinitionFuzzTest {
  private static final int DEFAULT_CASES = 1500;
  private static final Duration LIMIT = Duration.ofSeconds(5);

  /** Where the inputs of failed cases are written, to read them or send them with curl. */
  private static final Path FAILURES = Path.of("target", "fuzz", "definitions");

  private static FuzzSeed seed;
  private static DefinitionFuzzer fuzzer;

  @BeforeAll
  static void seedAndWarmUp() {
    seed = FuzzSeed.fromSystemProperties("definitions");
    fuzzer = new DefinitionFuzzer(seed.value(), DefinitionFuzzer.examplesAndInline());
    // Class loading and the schema's compilation happen once per process, not per request; the
    // time limit is about the input.
    for (DefinitionFuzzer.Source source : fuzzer.sources()) {
      DefinitionParser.parse(source.text());
    }
  }

  @Test
  @DisplayName(
      "every case is bound or refused with a DefinitionException naming each problem, none taking"
          + " 5 seconds")
  void everyCaseIsBoundOrRefusedWithProblemsWithoutHanging() throws IOException {
    int count = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
    List<Integer> indexes =
        seed.onlyCase().isPresent()
            ? List.of(seed.onlyCase().getAsInt())
            : IntStream.range(0, count).boxed().toList();
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long slowestNanos = 0;
    FuzzCase slowest = null;
    int valid = 0;
    for (int index : indexes) {
      FuzzCase fuzzCase = fuzzer.generate(index);
      long start = System.nanoTime();
      Outcome outcome;
      try {
        outcome = assertTimeoutPreemptively(LIMIT, () -> parse(fuzzCase));
      } catch (AssertionFailedError timedOut) {
        outcome = Outcome.failed("took over " + LIMIT.toMillis() + " ms");
      }
      long nanos = System.nanoTime() - start;
      if (nanos > slowestNanos) {
        slowestNanos = nanos;
        slowest = fuzzCase;
      }
      outcomes.merge(outcome.kind(), 1, Integer::sum);
      if (outcome.kind().equals(Outcome.VALID)) {
        valid++;
      }
      if (outcome.failure() != null) {
        failures.add(fuzzCase + ": " + outcome.failure() + " [" + seed.rerun(index) + "]");
        keep(fuzzCase);
      }
    }

    System.out.printf(
        "definitions fuzz: %d cases, slowest %d ms (%s), outcomes %s%n",
        indexes.size(), slowestNanos / 1_000_000, slowest, outcomes);
    assertThat(failures).as("failed cases; seed %d", seed.value()).isEmpty();
    if (seed.onlyCase().isEmpty()) {
      assertThat(indexes).hasSizeGreaterThanOrEqualTo(1000);
      // The generator must reach both sides: definitions that bind and plan, and refusals.
      assertThat(valid).as("valid cases, seed %d", seed.value()).isGreaterThan(count / 20);
      assertThat(count - valid).as("refused cases, seed %d", seed.value()).isGreaterThan(count / 2);
    }
  }

  /** What became of a case, and what is wrong about that, if anything. */
  private record Outcome(String kind, String failure) {
    static final String VALID = "valid";

    static Outcome failed(String why) {
      return new Outcome("FAILED", why);
    }
  }

  private static Outcome parse(FuzzCase fuzzCase) {
    try {
      List<Definition> definitions =
          fuzzCase.isText()
              ? DefinitionParser.parse(fuzzCase.text())
              : DefinitionParser.parse(fuzzCase.bytes());
      return usable(definitions);
    } catch (DefinitionException refused) {
      return explained(refused);
    } catch (Throwable crash) {
      return Outcome.failed("threw " + crash + " instead of a DefinitionException");
    }
  }

  /** Valid definitions are bound records a workflow can take: named, and plannable. */
  private static Outcome usable(List<Definition> definitions) {
    if (definitions.isEmpty()) {
      return Outcome.failed("parsed to no definition and no problem");
    }
    for (Definition definition : definitions) {
      if (definition == null
          || definition.metadata() == null
          || isBlank(definition.metadata().name())
          || isBlank(definition.metadata().namespace())) {
        return Outcome.failed("bound a definition without a name or namespace: " + definition);
      }
      if (definition instanceof PipelineDefinition pipeline) {
        if (pipeline.spec().tasks().isEmpty()) {
          return Outcome.failed("accepted a pipeline without tasks");
        }
        Planner.plan(pipeline);
      } else if (definition instanceof ClusterDefinition cluster) {
        if (cluster.spec().nodePools().isEmpty()) {
          return Outcome.failed("accepted a cluster without node pools");
        }
        for (NodePoolSpec pool : cluster.spec().nodePools()) {
          if (pool.minSize() > pool.desiredSize() || pool.desiredSize() > pool.maxSize()) {
            return Outcome.failed("accepted a pool whose sizes are out of order: " + pool);
          }
        }
      } else if (definition instanceof RollingUpdateDefinition rollout) {
        String broken = broken(rollout.spec());
        if (broken != null) {
          return Outcome.failed(broken);
        }
      } else if (!(definition instanceof JobDefinition)) {
        return Outcome.failed("bound an unknown kind " + definition.getClass());
      }
    }
    return new Outcome(Outcome.VALID, null);
  }

  /**
   * What an accepted rollout breaks of what its rules promise, or null: some node can move, the
   * checkpoints increase and each waits one way, and the window opens.
   */
  private static String broken(RollingUpdateSpec spec) {
    RolloutStrategy strategy = spec.strategy();
    if (RolloutBudget.nothingMoves(strategy.maxSurge(), strategy.maxUnavailable()).isPresent()) {
      return "accepted a rollout that lets no node move: " + strategy;
    }
    int previous = 0;
    for (Checkpoint checkpoint : spec.checkpoints()) {
      if (checkpoint.percent() <= previous || checkpoint.percent() > 100) {
        return "accepted checkpoints out of order: " + spec.checkpoints();
      }
      if (checkpoint.pauses() && !checkpoint.soak().isZero()) {
        return "accepted a checkpoint that soaks and pauses: " + checkpoint;
      }
      previous = checkpoint.percent();
    }
    RolloutWindow window = spec.window();
    if (window != null) {
      if (window.duration().isZero() || window.duration().compareTo(Duration.ofDays(7)) > 0) {
        return "accepted a window of " + window.duration();
      }
      // Throws, and so fails the case, for a window that never opens.
      window.nextOpen(Instant.parse("2026-01-01T00:00:00Z"));
    }
    return null;
  }

  /** A refusal says what is wrong in one line, and each problem where and what to do. */
  private static Outcome explained(DefinitionException refused) {
    String kind = "refused: " + category(refused.error());
    if (isBlank(refused.error())) {
      return Outcome.failed("a refusal without an error line: " + refused);
    }
    if (refused.problems().isEmpty()) {
      return Outcome.failed("a refusal without problems: " + refused.error());
    }
    for (Problem problem : refused.problems()) {
      if (isBlank(problem.message())) {
        return Outcome.failed("a problem without a message: " + problem);
      }
      if (problem.path() == null) {
        return Outcome.failed("a problem without a path: " + problem);
      }
      if (problem.path().isEmpty() && (problem.line() < 1 || problem.column() < 1)) {
        return Outcome.failed("a problem with neither a path nor a position: " + problem);
      }
      if (problem.message().startsWith("cannot be read: ")) {
        return Outcome.failed("validation passed a value that does not bind: " + problem);
      }
    }
    return new Outcome(kind, null);
  }

  /** Groups refusals by their summary, without the counts that vary from case to case. */
  private static String category(String error) {
    return error == null ? "?" : error.replaceAll("[0-9]+", "N");
  }

  private static boolean isBlank(String text) {
    return text == null || text.isBlank();
  }

  private static void keep(FuzzCase fuzzCase) throws IOException {
    Files.createDirectories(FAILURES);
    Files.write(
        FAILURES.resolve("case-" + seed.value() + "-" + fuzzCase.index() + ".yaml"),
        fuzzCase.body());
  }
}
