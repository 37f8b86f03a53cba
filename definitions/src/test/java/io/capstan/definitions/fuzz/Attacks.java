package io.capstan.definitions.fuzz;

import static io.capstan.definitions.fuzz.DefinitionFuzzer.MAX_CHARS;
import static io.capstan.definitions.fuzz.DefinitionFuzzer.MAX_COLLECTION_ALIASES;
import static io.capstan.definitions.fuzz.DefinitionFuzzer.MAX_DEPTH;
import static io.capstan.definitions.fuzz.DefinitionFuzzer.MAX_DOCUMENTS;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Attacks on the reader rather than the definition: nesting past the depth limit, aliases that
 * expand a small text into a huge tree, duplicate keys, floods of documents, texts at the size
 * limit, graphs of thousands of tasks, bytes that are not text, and the smallest bodies there are.
 * Most land just below, at and just above a limit.
 */
final class Attacks {
  private static final String HEAD = "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: a}\n";
  private static final String SMALL_JOB =
      HEAD + "spec:\n  simulate: {duration: 100ms, output: ok}\n";

  private Attacks() {}

  static FuzzCase generate(int index, Random random, DefinitionFuzzer fuzzer) {
    return switch (random.nextInt(16)) {
      case 0 -> deepFlow(index, random);
      case 1 -> deepBlock(index, random);
      case 2 -> aliasExpansion(index, random);
      case 3 -> mergeChain(index, random);
      case 4 -> text(index, "recursive alias", HEAD + "spec: &loop {simulate: {}, again: *loop}\n");
      case 5 -> duplicateKeys(index, random);
      case 6 -> documentFlood(index, random);
      case 7 -> atTheSizeLimit(index, random);
      case 8 -> manyTasks(index, random);
      case 9 -> wide(index, random);
      case 10 -> randomBytes(index, random);
      case 11 ->
          text(
              index,
              "random unicode text",
              HostileValues.randomUnicode(random, 1 + random.nextInt(2000)));
      case 12 -> tiny(index, random);
      case 13 -> brokenJson(index, random);
      case 14 -> longKeys(index, random);
      default -> everyNumber(index, random, fuzzer);
    };
  }

  private static FuzzCase deepFlow(int index, Random random) {
    int depth = depthNearLimit(random);
    String open = random.nextBoolean() ? "[" : "{a: ";
    String close = open.equals("[") ? "]" : "}";
    return text(
        index,
        "flow nesting " + depth + " deep",
        HEAD + "spec: {simulate: {}, x: " + open.repeat(depth) + "1" + close.repeat(depth) + "}\n");
  }

  private static FuzzCase deepBlock(int index, Random random) {
    int depth = Math.min(depthNearLimit(random), 2000);
    StringBuilder yaml = new StringBuilder(HEAD).append("spec:\n  simulate: {}\n  x:\n");
    for (int level = 0; level < depth; level++) {
      yaml.append("  ".repeat(level + 2)).append(random.nextBoolean() ? "- " : "k: ").append('\n');
    }
    yaml.append("  ".repeat(depth + 2)).append("bottom\n");
    return text(index, "block nesting " + depth + " deep", yaml.toString());
  }

  private static int depthNearLimit(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> MAX_DEPTH - 5 + random.nextInt(4);
      case 1 -> MAX_DEPTH - 1 + random.nextInt(4);
      case 2 -> 100 + random.nextInt(900);
      case 3 -> 10_000;
      default -> MAX_DEPTH + 1;
    };
  }

  /** Levels of lists that each hold several aliases of the level below: billion laughs. */
  private static FuzzCase aliasExpansion(int index, Random random) {
    int levels = 2 + random.nextInt(9);
    int width = 2 + random.nextInt(9);
    int base = 1 + random.nextInt(600);
    StringBuilder yaml = new StringBuilder(HEAD).append("spec:\n  simulate: {}\n");
    yaml.append("  l0: &l0 [").append("lol,".repeat(base - 1)).append("lol]\n");
    for (int level = 1; level <= levels; level++) {
      yaml.append("  l").append(level).append(": &l").append(level).append(" [");
      for (int i = 0; i < width; i++) {
        yaml.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
      }
      yaml.append("]\n");
    }
    int aliases = levels * width;
    return text(
        index,
        "alias expansion: "
            + levels
            + " levels of "
            + width
            + " aliases over "
            + base
            + " values ("
            + aliases
            + " aliases, limit "
            + MAX_COLLECTION_ALIASES
            + ")",
        yaml.toString());
  }

  private static FuzzCase mergeChain(int index, Random random) {
    int links = 2 + random.nextInt(40);
    StringBuilder yaml = new StringBuilder(HEAD).append("spec:\n  simulate: {}\n");
    yaml.append("  m0: &m0 {a: 1}\n");
    for (int i = 1; i <= links; i++) {
      yaml.append("  m").append(i).append(": &m").append(i);
      yaml.append(" {<<: [*m").append(i - 1);
      if (i > 1) {
        yaml.append(", *m").append(i - 2);
      }
      yaml.append("], k").append(i).append(": ").append(i).append("}\n");
    }
    return text(index, "merge-key chain of " + links, yaml.toString());
  }

  private static FuzzCase duplicateKeys(int index, Random random) {
    String yaml =
        switch (random.nextInt(5)) {
          case 0 -> SMALL_JOB + "kind: Pipeline\n";
          case 1 -> HEAD + "spec: {simulate: {}, simulate: {output: twice}}\n";
          case 2 -> HEAD + "metadata: {name: b}\nspec: {simulate: {}}\n";
          case 3 ->
              "{\"apiVersion\": \"capstan.io/v1\", \"kind\": \"Job\", \"kind\": \"Job\","
                  + " \"metadata\": {\"name\": \"a\"}, \"spec\": {\"simulate\": {}}}";
          default ->
              HEAD + "spec:\n  simulate: {}\n" + "  timeout: 1s\n".repeat(2 + random.nextInt(1000));
        };
    return text(index, "duplicate keys", yaml);
  }

  private static FuzzCase documentFlood(int index, Random random) {
    int[] counts = {2, 10, MAX_DOCUMENTS - 1, MAX_DOCUMENTS, MAX_DOCUMENTS + 1, 1000, 20_000};
    int count = counts[random.nextInt(counts.length)];
    int style = random.nextInt(4);
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < count; i++) {
      switch (style) {
        case 0 ->
            yaml.append("---\n")
                .append(HEAD.replace("name: a", "name: d" + i))
                .append("spec:\n  simulate: {duration: 100ms, output: ok}\n");
        case 1 -> yaml.append("---\n");
        case 2 -> yaml.append("--- ~\n...\n");
        default -> yaml.append("---\nkind: Job\n");
      }
    }
    String what =
        new String[] {"valid jobs", "empty documents", "null documents", "bare kinds"}[style];
    return text(index, count + " documents of " + what, yaml.toString());
  }

  private static FuzzCase atTheSizeLimit(int index, Random random) {
    int[] sizes = {MAX_CHARS - 1, MAX_CHARS, MAX_CHARS + 1, 2 * MAX_CHARS};
    int size = sizes[random.nextInt(sizes.length)];
    // Lines of a hundred characters: one token of a megabyte is an attack of its own (see
    // TextMutations), and this one is about the size limit.
    StringBuilder yaml = new StringBuilder(size).append(SMALL_JOB);
    char filler = random.nextBoolean() ? 'é' : 'x';
    while (yaml.length() < size - 1) {
      int line = Math.min(100, size - 1 - yaml.length());
      yaml.append('#').append(String.valueOf(filler).repeat(Math.max(0, line - 2))).append('\n');
    }
    yaml.setLength(size - 1);
    yaml.append('\n');
    String text = yaml.toString();
    if (random.nextBoolean()) {
      return text(index, "text of " + text.length() + " chars", text);
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return FuzzCase.ofBytes(index, "body of " + bytes.length + " bytes", bytes);
  }

  /**
   * A valid pipeline of thousands of tasks: validation and planning must stay fast. Some run in
   * containers, which a worker may not serve: the API then names each such task's position.
   */
  private static FuzzCase manyTasks(int index, Random random) {
    boolean containers = random.nextInt(4) == 0;
    int count = new int[] {250, 500, 1000, 2000}[random.nextInt(4)];
    String executor = containers ? "container: {image: busybox}" : "simulate: {output: o}";
    int shape = random.nextInt(3);
    StringBuilder yaml =
        new StringBuilder("apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: big}\n");
    yaml.append("spec:\n  tasks:\n");
    for (int i = 0; i < count; i++) {
      yaml.append("    - {name: t").append(i).append(", ").append(executor);
      if (i > 0) {
        switch (shape) {
          case 0 -> yaml.append(", dependsOn: [t").append(i - 1).append(']');
          case 1 -> yaml.append(", dependsOn: [t0]");
          default -> {
            yaml.append(", dependsOn: [t").append(random.nextInt(i));
            yaml.append(", t").append(random.nextInt(i)).append(']');
          }
        }
      }
      yaml.append("}\n");
    }
    String what = new String[] {"a chain", "a fan-out", "a random DAG"}[shape];
    return text(
        index,
        count + (containers ? " container" : " simulated") + " tasks in " + what,
        yaml.toString());
  }

  private static FuzzCase wide(int index, Random random) {
    // 1,200,000 labels are over the size limit (16 MiB); 20,000 make 40,000 values.
    int count = new int[] {1000, 20_000, 1_200_000}[random.nextInt(3)];
    StringBuilder yaml = new StringBuilder(HEAD).append("  labels:\n");
    for (int i = 0; i < count; i++) {
      yaml.append("    k").append(i).append(": v\n");
    }
    yaml.append("spec: {simulate: {}}\n");
    return text(
        index,
        count + " labels",
        yaml.toString().replace("metadata: {name: a}\n", "metadata:\n  name: a\n"));
  }

  private static FuzzCase randomBytes(int index, Random random) {
    byte[] bytes = new byte[1 + random.nextInt(4096)];
    random.nextBytes(bytes);
    return FuzzCase.ofBytes(index, bytes.length + " random bytes", bytes);
  }

  private static FuzzCase tiny(int index, Random random) {
    String body =
        HostileValues.pick(
            random,
            "",
            " ",
            "\n\n\n",
            "# only a comment",
            "---",
            "...",
            "~",
            "null",
            "[]",
            "{}",
            "0",
            "\"\"",
            "-",
            ":",
            "? ",
            "&a",
            "*a",
            "!!",
            "%",
            "\ufeff",
            "\u0000",
            "\t",
            "\r\n");
    return text(index, "tiny body " + HostileValues.quoted(body), body);
  }

  private static FuzzCase brokenJson(int index, Random random) {
    String json =
        HostileValues.pick(
            random,
            "{\"apiVersion\": \"capstan.io/v1\", \"kind\": \"Job\",}",
            "{\"apiVersion\": \"capstan.io/v1\" /* comment */, \"kind\": \"Job\"}",
            "{'apiVersion': 'capstan.io/v1', 'kind': 'Job', 'metadata': {'name': 'a'},"
                + " 'spec': {'simulate': {}}}",
            "{\"apiVersion\": \"capstan.io/v1\", \"kind\": \"Job\", \"metadata\": {\"name\":"
                + " \"a\"}, \"spec\": {\"simulate\": {\"seed\": NaN}}}",
            "{\"kind\": \"Job\"\t,\t\"metadata\":\t{}}",
            "{\"kind\": \"Jo\u0000b\"}",
            "{\"kind\": \"Job\"",
            "[" + "[".repeat(5000),
            "{\"apiVersion\": \"capstan.io/v1\", \"kind\": \"Job\", \"metadata\": {\"name\":"
                + " \"a\"}, \"spec\": {\"simulate\": {\"seed\": 1"
                + "0".repeat(400)
                + "}}}",
            "\"just a string\"",
            "123",
            "{\"a\":1}{\"b\":2}");
    return FuzzCase.ofText(index, "broken JSON " + DefinitionFuzzer.abbreviate(json), json, true);
  }

  private static FuzzCase longKeys(int index, Random random) {
    int length = new int[] {1023, 1024, 1025, 5000, 70_000}[random.nextInt(5)];
    String key = "k".repeat(length);
    String yaml =
        random.nextBoolean()
            ? HEAD + "spec:\n  simulate: {}\n  " + key + ": 1\n"
            : HEAD + "spec:\n  simulate: {output: " + key + "}\n";
    return text(index, "plain scalar of " + length + " chars", yaml);
  }

  /** One limit value in every numeric field of a real definition at once. */
  private static FuzzCase everyNumber(int index, Random random, DefinitionFuzzer fuzzer) {
    List<DefinitionFuzzer.Source> sources = fuzzer.sources();
    DefinitionFuzzer.Source source = sources.get(random.nextInt(sources.size()));
    JsonNode tree = DefinitionFuzzer.tree(source);
    TreeEmitter emitter = new TreeEmitter();
    HostileValues.Value number = HostileValues.number(random);
    for (String pointer : DefinitionFuzzer.pointers(tree, "")) {
      if (tree.at(pointer).isNumber()) {
        DefinitionFuzzer.replace(tree, pointer, emitter.raw(number.yaml()));
      }
    }
    return text(
        index, "every number of " + source.name() + " = " + number.what(), emitter.yaml(tree));
  }

  private static FuzzCase text(int index, String label, String text) {
    return FuzzCase.ofText(index, label, text, false);
  }
}
