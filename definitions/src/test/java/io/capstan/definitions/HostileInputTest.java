package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.capstan.definitions.fuzz.BillionLaughs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Hostile YAML is refused fast, with a clear error")
class HostileInputTest {
  private static final Duration FAST = Duration.ofSeconds(1);

  @BeforeAll
  static void loadTheParserOnce() {
    // Class loading and the schema's first compilation are paid once per JVM, not per request;
    // the timings below are about the input.
    DefinitionParser.parse(DefinitionParserTest.SPEC_PIPELINE);
  }

  @Test
  void aBillionLaughsDocumentIsRefusedForItsAliases() {

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(BillionLaughs.JOB));

    assertThat(refused.error()).isEqualTo("the definition exceeds a safety limit");
    assertThat(refused.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.message())
                  .isEqualTo(
                      "the document uses more than 20 aliases to lists or maps; aliases are"
                          + " limited so that a small document cannot expand into a huge one");
              assertThat(p.line()).isEqualTo(8);
            });
  }

  @Test
  void anExpansionWithinTheAliasLimitIsStoppedByTheExpansionLimit() {
    // Ten levels of two aliases each stay within 20 aliases yet multiply the base list by 1024.
    StringBuilder yaml =
        new StringBuilder("apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: x}\nspec:\n");
    yaml.append("  l0: &l0 [").append("x,".repeat(2099)).append("x]\n");
    for (int level = 1; level <= 10; level++) {
      String previous = "*l" + (level - 1);
      yaml.append("  l").append(level).append(": &l").append(level);
      yaml.append(" [").append(previous).append(", ").append(previous).append("]\n");
    }

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(yaml.toString()));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .singleElement()
        .satisfies(
            message ->
                assertThat(message)
                    .startsWith("aliases expand the document by more than ")
                    .endsWith("; write the repeated parts out or use fewer aliases"));
  }

  @Test
  void anAliasInsideItselfIsRefused() {
    DefinitionException refused =
        refusedWithin(
            FAST,
            () ->
                Rejections.of(
                    "apiVersion: capstan.io/v1\nkind: Job\nspec: &loop {again: *loop}\n"));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly("an alias refers to a list or map that contains it");
  }

  @Test
  void deepNestingIsRefused() {
    String deep = "spec: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n";

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(deep));

    assertThat(refused.error()).isEqualTo("the definition exceeds a safety limit");
    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly("the document nests deeper than 50 levels");
  }

  @Test
  void deepBlockNestingIsRefusedToo() {
    StringBuilder deep = new StringBuilder();
    for (int depth = 0; depth < 200; depth++) {
      deep.append(" ".repeat(depth)).append("k").append(depth).append(":\n");
    }

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(deep.toString()));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly("the document nests deeper than 50 levels");
  }

  @Test
  void aHugeDocumentIsRefusedBeforeItIsRead() {
    String huge = "# x\n".repeat(4 * 1024 * 1024 + 1);

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(huge));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly(
            "the definition is 16777220 characters long; at most 16777216 are accepted");
  }

  @Test
  void aLineLongerThanATokenMayBeIsRefusedBeforeItIsScanned() {
    // SnakeYAML scans one long token in time that grows faster than its length.
    String huge = "apiVersion: capstan.io/v1\n# " + "x".repeat(2 * 1024 * 1024) + "\n";

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(huge));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly(
            "line 2 is 2097154 characters long; at most 524288 are accepted (split long text over"
                + " several lines, or keep it in a file the task reads)");
  }

  @Test
  void aHugeBodyOfBytesIsRefusedBeforeItIsDecoded() {
    byte[] huge = new byte[65 * 1024 * 1024];

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.ofBytes(huge));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly(
            "the definition is 68157440 bytes long; at most 16777216 characters are accepted");
  }

  @Test
  void aDocumentOfTooManyValuesIsStoppedBeforeItIsFullyRead() {
    String wide =
        "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: w}\nspec: {simulate: {},"
            + " junk: [\n"
            + "1,\n".repeat(2_100_000)
            + "1]}\n";
    byte[] body = wide.getBytes(StandardCharsets.UTF_8);

    // Unlike the attacks above, this text is within the size limit, so SnakeYAML scans it up to
    // the value limit (about 6 MB): about a second on a warm, idle machine, several on a cold,
    // crowded CI one. The bound only guards against reading it all or hanging.
    DefinitionException refused =
        refusedWithin(Duration.ofSeconds(30), () -> Rejections.ofBytes(body));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly(
            "the definition holds more than 2000000 values; split it into smaller ones");
  }

  @Test
  void tooManyDocumentsInOneStreamAreRefused() {
    String many = "---\nkind: Job\n".repeat(101);

    DefinitionException refused = refusedWithin(FAST, () -> Rejections.of(many));

    assertThat(refused.problems())
        .extracting(Problem::message)
        .containsExactly("the stream holds more than 100 documents; send fewer at once");
  }

  private static DefinitionException refusedWithin(
      Duration limit, Supplier<DefinitionException> refusal) {
    return assertTimeoutPreemptively(limit, refusal::get);
  }
}
