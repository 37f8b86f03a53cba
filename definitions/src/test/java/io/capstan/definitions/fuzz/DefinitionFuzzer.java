package io.capstan.definitions.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Generates hostile definitions from a seed: mutations of real definitions (the shipped examples
 * and a few inline ones), definitions generated from the grammar with some values wrong, random
 * trees, and attacks on the YAML reader itself (deep nesting, alias expansion, duplicate keys,
 * document floods, limits of size, invalid UTF-8).
 *
 * <p>Case {@code i} depends only on the seed and {@code i}, so one case can be generated again
 * without the others.
 */
public final class DefinitionFuzzer {
  /** A definition to start mutations from. */
  public record Source(String name, String text) {}

  /** The reader's limits, mirrored here so that cases land on both sides of each. */
  static final int MAX_CHARS = 16 << 20;

  static final int MAX_DEPTH = 50;
  static final int MAX_DOCUMENTS = 100;
  static final int MAX_COLLECTION_ALIASES = 20;

  private static final YAMLMapper TREES = new YAMLMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * Definitions that use what the examples do not: every executor, env forms, schedules, an aws
   * cluster with every field, a simulated one with failures injected, and a rolling update with
   * percentages.
   */
  public static final List<Source> INLINE =
      List.of(
          new Source(
              "inline job with every job field",
              """
              apiVersion: capstan.io/v1
              kind: Job
              metadata: {name: j, namespace: team-a, labels: {a: b}}
              spec:
                params: {p: x}
                shell: {command: [echo, "#{params.p}"], env: {A: b}, workingDir: /tmp}
                restartPolicy: {maxRetries: 1, backoff: exponential, initial: 1s, max: 2s}
                timeout: 1m
                parallelism: {completions: 2, maxConcurrent: 1, completionStrategy: AnySuccessful}
              """),
          new Source(
              "inline job with secret env",
              """
              apiVersion: capstan.io/v1
              kind: Job
              metadata: {name: with-secret}
              spec:
                shell:
                  command: [sh, -c, 'echo "$DB_URL" | wc -c']
                  env:
                    - {name: DB_URL, secretRef: db-url}
                    - {name: MODE, value: fast}
              """),
          new Source(
              "inline scheduled job",
              """
              apiVersion: capstan.io/v1
              kind: Job
              metadata: {name: nightly}
              spec:
                simulate: {duration: 1s, output: ok}
                schedule: {cron: "0 2 * * *", timezone: Europe/Paris, overlap: skip, catchupWindow: 10m}
              """),
          new Source(
              "inline pipeline with container and gpu tasks",
              """
              apiVersion: capstan.io/v1
              kind: Pipeline
              metadata: {name: mixed}
              spec:
                onFailure: continue
                tasks:
                  - name: build
                    container:
                      image: busybox:1.36
                      command: [sh, -c]
                      args: ["echo hi"]
                      env: {A: b}
                      resources: {cpu: 2, memory: 4Gi, gpu: 1}
                      nodeSelector: {pool: general}
                      tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
                  - name: burn
                    dependsOn: [build]
                    gpu: {devices: 2, op: gemm, duration: 30s, dtype: fp16, minTflops: 100}
                  - name: report
                    dependsOn: [burn]
                    simulate: {output: "#{burn.output} after #{build.output}"}
              """),
          new Source(
              "inline aws cluster with every cluster field",
              """
              apiVersion: capstan.io/v1
              kind: Cluster
              metadata: {name: production, namespace: platform}
              spec:
                provider: aws
                region: us-west-2
                kubernetes: {context: prod}
                network: {subnets: [subnet-0a1b, subnet-2c3d], securityGroups: [sg-123]}
                nodePools:
                  - name: general
                    instanceType: c5.xlarge
                    launchTemplate: {name: k8s-node, version: 3}
                    minSize: 3
                    desiredSize: 4
                    maxSize: 10
                    labels: {pool: general, example.com/tier: standard}
                    taints: [{key: dedicated, value: gpu, effect: NoSchedule}]
                    zones: [us-west-2a, us-west-2b]
                  - name: gpu
                    instanceType: p4d.24xlarge
                    launchTemplate: {name: k8s-gpu, version: $Latest}
                    minSize: 1
                    maxSize: 5
                    spot: {maxPrice: "2.0"}
                    gpu: {perNode: 8, validate: {op: bandwidth, duration: 60s, minTflops: 100}}
                autoscaling:
                  enabled: true
                  minNodes: 4
                  maxNodes: 15
                  targetCpuUtilization: 60
                  targetGpuUtilization: 80
                  scaleDownDelay: 10m
                budget:
                  monthlyLimit: 25000.75
                  alerts: [{thresholdPercent: 50, webhook: "https://hooks.example.com/x"}]
                  onBudget: pause
                readyTimeout: 30m
              """),
          new Source(
              "inline simulated cluster that fails",
              """
              apiVersion: capstan.io/v1
              kind: Cluster
              metadata: {name: flaky}
              spec:
                provider: simulated
                region: eu-central-1
                nodePools:
                  - name: a
                    instanceType: m5.large
                    minSize: 0
                    maxSize: 2
                    zones: [eu-central-1a, eu-central-1b]
                    simulate:
                      bootDelay: 1s
                      readyDelay: 500ms
                      neverBoot: false
                      neverReady: true
                      zonesOutOfCapacity: [eu-central-1b]
              """),
          new Source(
              "inline rolling update with percentages, soaks and a window",
              """
              apiVersion: capstan.io/v1
              kind: RollingUpdate
              metadata: {name: gpu-to-latest, namespace: platform}
              spec:
                cluster: production
                nodePool: gpu
                launchTemplate: {name: k8s-gpu, version: $Latest}
                strategy:
                  maxSurge: "25%"
                  maxUnavailable: 10%
                  drainTimeout: 1h30m
                  podEvictionTimeout: PT90S
                  nodeDrainGracePeriod: 0s
                  force: true
                  deleteEmptyDirData: false
                checkpoints: [{percent: 10, soak: 5m}, {percent: 50, pause: true}, {percent: 100}]
                soak: 1m
                window: {cron: "*/30 1-5 1,15 JAN-MAR SAT,SUN", duration: 2h, timeZone: America/New_York}
                onFailure: rollback
              """));

  private final long seed;
  private final List<Source> sources;
  private final List<JsonNode> trees;

  public DefinitionFuzzer(long seed, List<Source> sources) {
    this.seed = seed;
    this.sources = List.copyOf(sources);
    this.trees = this.sources.stream().map(DefinitionFuzzer::tree).toList();
  }

  /**
   * The project's example definitions followed by {@link #INLINE}, found from whichever module's
   * folder the test runs in (Maven runs each module's tests there).
   */
  public static List<Source> examplesAndInline() {
    for (Path folder :
        List.of(
            Path.of("examples"),
            Path.of("..", "definitions", "examples"),
            Path.of("definitions", "examples"))) {
      if (Files.isDirectory(folder)) {
        return examplesAndInline(folder);
      }
    }
    throw new IllegalStateException(
        "no definitions/examples folder from " + Path.of("").toAbsolutePath());
  }

  /** The examples in {@code folder} followed by {@link #INLINE}. */
  public static List<Source> examplesAndInline(Path folder) {
    List<Source> sources = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        sources.add(new Source(file.getFileName().toString(), Files.readString(file)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the examples in " + folder, e);
    }
    sources.addAll(INLINE);
    return sources;
  }

  public List<Source> sources() {
    return sources;
  }

  /** Case {@code index} of this seed. */
  public FuzzCase generate(int index) {
    Random random = new Random(mix(seed + 0x9E3779B97F4A7C15L * (index + 1)));
    int family = random.nextInt(100);
    if (family < 30) {
      return treeMutation(index, random);
    }
    if (family < 48) {
      return textMutation(index, random);
    }
    if (family < 72) {
      return generated(index, random);
    }
    return Attacks.generate(index, random, this);
  }

  // ---------------------------------------------------------------------------------------------
  // Mutations of real definitions, on their tree.

  private FuzzCase treeMutation(int index, Random random) {
    int which = random.nextInt(sources.size());
    JsonNode tree = trees.get(which).deepCopy();
    TreeEmitter emitter = new TreeEmitter();
    List<String> done = new ArrayList<>();
    int mutations = 1 + random.nextInt(random.nextInt(4) + 1);
    for (int i = 0; i < mutations; i++) {
      done.add(mutate(tree, random, emitter));
    }
    boolean json = random.nextInt(4) == 0;
    String text = json ? emitter.json(tree, random.nextBoolean()) : emitter.yaml(tree);
    return FuzzCase.ofText(
        index, "mutate " + sources.get(which).name() + ": " + String.join("; ", done), text, json);
  }

  /** Applies one mutation somewhere in {@code root} and says what it did. */
  String mutate(JsonNode root, Random random, TreeEmitter emitter) {
    List<String> pointers = pointers(root, "");
    if (pointers.isEmpty()) {
      return "nothing to mutate";
    }
    String at = pointers.get(random.nextInt(pointers.size()));
    switch (random.nextInt(12)) {
      case 0, 1, 2 -> {
        HostileValues.Value value = HostileValues.any(random);
        replace(root, at, emitter.raw(value.yaml()));
        return at + " = " + value.what();
      }
      case 3 -> {
        List<String> numbers = pointers.stream().filter(p -> root.at(p).isNumber()).toList();
        String target = numbers.isEmpty() ? at : numbers.get(random.nextInt(numbers.size()));
        HostileValues.Value value = HostileValues.number(random);
        replace(root, target, emitter.raw(value.yaml()));
        return target + " = " + value.what();
      }
      case 4 -> {
        if (removeField(root, at)) {
          return "remove " + at;
        }
        return "keep " + at;
      }
      case 5 -> {
        ObjectNode parent = someObject(root, random);
        String key = oddKey(random);
        parent.set(key, emitter.raw(HostileValues.any(random).yaml()));
        return "add key '" + abbreviate(key) + "'";
      }
      case 6 -> {
        return renameField(root, at, random);
      }
      case 7 -> {
        ArrayNode list = someArray(root, random);
        if (list == null || list.isEmpty()) {
          return "no list to grow";
        }
        int copies = random.nextInt(10) == 0 ? 200 + random.nextInt(800) : 1 + random.nextInt(3);
        JsonNode element = list.get(random.nextInt(list.size()));
        for (int i = 0; i < copies; i++) {
          list.add(element.deepCopy());
        }
        return "repeat an element of a list " + copies + " times";
      }
      case 8 -> {
        int depth = MAX_DEPTH - 5 + random.nextInt(12);
        replace(root, at, nested(depth, random.nextBoolean()));
        return at + " = nested " + depth + " deep";
      }
      case 9 -> {
        String kind =
            HostileValues.pick(
                random, "Pipeline", "Job", "Cluster", "RollingUpdate", "pipeline", "", "Job ");
        if (root.isObject()) {
          ((ObjectNode) root).put("kind", kind);
        }
        return "kind = '" + kind + "'";
      }
      case 10 -> {
        return tangleDependencies(root, random);
      }
      default -> {
        String task = taskNames(root).isEmpty() ? "nowhere" : pickName(random, taskNames(root));
        String template =
            HostileValues.pick(
                random, "#{" + task + ".output}", "#{params." + task + "}", "#{" + task + "}");
        replace(root, at, NODES.textNode(template));
        return at + " = '" + template + "'";
      }
    }
  }

  private static String tangleDependencies(JsonNode root, Random random) {
    JsonNode tasks = root.at("/spec/tasks");
    if (!tasks.isArray() || tasks.isEmpty()) {
      return "no tasks to tangle";
    }
    List<String> names = taskNames(root);
    ObjectNode task = (ObjectNode) pickObject(tasks, random);
    if (task == null) {
      return "no task to tangle";
    }
    ArrayNode dependsOn = task.putArray("dependsOn");
    int count = random.nextInt(4);
    for (int i = 0; i < count; i++) {
      dependsOn.add(
          random.nextInt(4) == 0 || names.isEmpty()
              ? HostileValues.pick(random, "nowhere", "", task.path("name").asText(), "extrct")
              : pickName(random, names));
    }
    return "dependsOn of " + task.path("name").asText() + " = " + dependsOn;
  }

  // ---------------------------------------------------------------------------------------------
  // Mutations of real definitions, on their text and bytes.

  private FuzzCase textMutation(int index, Random random) {
    int which = random.nextInt(sources.size());
    String text = sources.get(which).text();
    List<String> done = new ArrayList<>();
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      TextMutations.Result result = TextMutations.apply(text, random);
      text = result.text();
      done.add(result.what());
    }
    String label = "mutate text of " + sources.get(which).name() + ": " + String.join("; ", done);
    if (random.nextInt(6) == 0) {
      TextMutations.Bytes bytes = TextMutations.toBytes(text, random);
      return FuzzCase.ofBytes(index, label + "; " + bytes.what(), bytes.bytes());
    }
    return FuzzCase.ofText(index, label, text, false);
  }

  // ---------------------------------------------------------------------------------------------
  // Definitions generated from the grammar, each value right with some probability.

  private FuzzCase generated(int index, Random random) {
    TreeEmitter emitter = new TreeEmitter();
    if (random.nextInt(6) == 0) {
      JsonNode tree = RandomTrees.any(random, emitter, 1 + random.nextInt(8));
      boolean json = random.nextBoolean();
      String text = json ? emitter.json(tree, false) : emitter.yaml(tree);
      return FuzzCase.ofText(index, "random tree", text, json);
    }
    double right = new double[] {0.999, 0.98, 0.9, 0.6}[random.nextInt(4)];
    Grammar grammar = new Grammar(random, emitter, right);
    ObjectNode definition = grammar.definition();
    boolean json = random.nextInt(4) == 0;
    String text = json ? emitter.json(definition, random.nextBoolean()) : emitter.yaml(definition);
    return FuzzCase.ofText(
        index,
        "generated "
            + definition.path("kind").asText("?")
            + " ("
            + grammar.wrong()
            + " wrong values of "
            + grammar.values()
            + ")",
        text,
        json);
  }

  // ---------------------------------------------------------------------------------------------
  // Tree helpers.

  static JsonNode tree(Source source) {
    try {
      JsonNode tree = TREES.readTree(source.text());
      return tree == null ? NODES.objectNode() : tree;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source.name(), e);
    }
  }

  static JsonNode nested(int depth, boolean lists) {
    JsonNode node = NODES.textNode("bottom");
    for (int i = 0; i < depth; i++) {
      node = lists ? NODES.arrayNode().add(node) : NODES.objectNode().set("a", node);
    }
    return node;
  }

  static List<String> pointers(JsonNode node, String at) {
    List<String> found = new ArrayList<>();
    if (!at.isEmpty()) {
      found.add(at);
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
        Map.Entry<String, JsonNode> field = fields.next();
        found.addAll(pointers(field.getValue(), at + "/" + escape(field.getKey())));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        found.addAll(pointers(node.get(i), at + "/" + i));
      }
    }
    return found;
  }

  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String unescape(String key) {
    return key.replace("~1", "/").replace("~0", "~");
  }

  static void replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = unescape(pointer.substring(slash + 1));
    if (parent.isArray()) {
      ((ArrayNode) parent).set(Integer.parseInt(last), value);
    } else if (parent.isObject()) {
      ((ObjectNode) parent).set(last, value);
    }
  }

  private static boolean removeField(JsonNode root, String pointer) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = unescape(pointer.substring(slash + 1));
    if (parent.isObject()) {
      ((ObjectNode) parent).remove(last);
      return true;
    }
    if (parent.isArray()) {
      ((ArrayNode) parent).remove(Integer.parseInt(last));
      return true;
    }
    return false;
  }

  private static String renameField(JsonNode root, String pointer, Random random) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String key = unescape(pointer.substring(slash + 1));
    if (!parent.isObject() || key.isEmpty()) {
      return "keep " + pointer;
    }
    String renamed =
        switch (random.nextInt(5)) {
          case 0 -> key.substring(1);
          case 1 -> key.toUpperCase(java.util.Locale.ROOT);
          case 2 -> key + key.charAt(key.length() - 1);
          case 3 -> key.replace('a', '\u0430').replace('e', '\u0435').replace('o', '\u043e');
          default -> key + "\u200b";
        };
    ObjectNode object = (ObjectNode) parent;
    JsonNode value = object.remove(key);
    object.set(renamed, value);
    return "rename " + pointer + " to '" + renamed + "'";
  }

  private static ObjectNode someObject(JsonNode root, Random random) {
    List<JsonNode> objects = new ArrayList<>();
    collect(root, objects, true);
    return objects.isEmpty()
        ? (ObjectNode) root
        : (ObjectNode) objects.get(random.nextInt(objects.size()));
  }

  private static ArrayNode someArray(JsonNode root, Random random) {
    List<JsonNode> arrays = new ArrayList<>();
    collect(root, arrays, false);
    return arrays.isEmpty() ? null : (ArrayNode) arrays.get(random.nextInt(arrays.size()));
  }

  private static void collect(JsonNode node, List<JsonNode> found, boolean objects) {
    if (objects ? node.isObject() : node.isArray()) {
      found.add(node);
    }
    node.elements().forEachRemaining(child -> collect(child, found, objects));
  }

  private static JsonNode pickObject(JsonNode list, Random random) {
    List<JsonNode> objects = new ArrayList<>();
    list.elements()
        .forEachRemaining(
            e -> {
              if (e.isObject()) {
                objects.add(e);
              }
            });
    return objects.isEmpty() ? null : objects.get(random.nextInt(objects.size()));
  }

  static List<String> taskNames(JsonNode root) {
    List<String> names = new ArrayList<>();
    root.at("/spec/tasks")
        .elements()
        .forEachRemaining(
            task -> {
              if (task.path("name").isTextual()) {
                names.add(task.path("name").asText());
              }
            });
    return names;
  }

  private static String pickName(Random random, List<String> names) {
    return names.get(random.nextInt(names.size()));
  }

  static String oddKey(Random random) {
    return switch (random.nextInt(6)) {
      case 0 -> "unknownField";
      case 1 -> HostileValues.randomUnicode(random, 1 + random.nextInt(12));
      case 2 -> "x".repeat(1000 + random.nextInt(2000));
      case 3 -> "";
      case 4 -> "<<";
      default -> HostileValues.pick(random, "kind", "name", "spec", "metadata", "tasks", "params");
    };
  }

  public static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 20) + "…(" + text.length() + " chars)";
  }

  /** SplitMix64's finaliser: nearby seeds give unrelated streams. */
  public static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
