package io.capstan.definitions.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Pipelines and jobs generated from the definition grammar of SPEC.md. Every value is right with
 * probability {@code right} and hostile otherwise, so a run covers definitions that are valid
 * (which must bind and plan), slightly wrong and thoroughly wrong. Task graphs are DAGs when every
 * value is right; a wrong {@code dependsOn} may make a cycle or name a task that does not exist.
 */
final class Grammar {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] UNITS = {"ms", "s", "m", "h", "d"};

  private final Random random;
  private final TreeEmitter emitter;
  private final double right;
  private int values;
  private int wrong;

  Grammar(Random random, TreeEmitter emitter, double right) {
    this.random = random;
    this.emitter = emitter;
    this.right = right;
  }

  /** How many values were generated, and how many of them on purpose wrong. */
  int values() {
    return values;
  }

  int wrong() {
    return wrong;
  }

  ObjectNode definition() {
    boolean pipeline = random.nextBoolean();
    ObjectNode root = NODES.objectNode();
    root.set("apiVersion", value(() -> NODES.textNode("capstan.io/v1")));
    root.set("kind", value(() -> NODES.textNode(pipeline ? "Pipeline" : "Job")));
    ObjectNode metadata = root.putObject("metadata");
    metadata.set("name", value(() -> NODES.textNode(dnsLabel())));
    if (random.nextBoolean()) {
      metadata.set("namespace", value(() -> NODES.textNode(dnsLabel())));
    }
    if (random.nextInt(3) == 0) {
      metadata.set("labels", value(this::labels));
    }
    ObjectNode spec = pipeline ? pipelineSpec() : jobSpec();
    root.set("spec", spec);
    if (random.nextInt(20) == 0) {
      root.set(DefinitionFuzzer.oddKey(random), value(() -> NODES.textNode("extra")));
    }
    return root;
  }

  private ObjectNode pipelineSpec() {
    ObjectNode spec = NODES.objectNode();
    List<String> params = new ArrayList<>();
    if (random.nextBoolean()) {
      spec.set("params", value(() -> params(params)));
    }
    optional(spec, "parallelism", () -> NODES.numberNode(1 + random.nextInt(1000)));
    optional(
        spec,
        "onFailure",
        () -> NODES.textNode(HostileValues.pick(random, "stop", "continue", "pause")));
    optional(spec, "timeout", () -> NODES.textNode(duration()));
    if (random.nextInt(3) == 0) {
      ObjectNode defaults = spec.putObject("defaults");
      optional(defaults, "retry", this::retry);
      optional(defaults, "timeout", () -> NODES.textNode(duration()));
    }
    int count =
        switch (random.nextInt(20)) {
          case 0 -> 0;
          case 1 -> 100 + random.nextInt(400);
          case 2 -> 20 + random.nextInt(80);
          default -> 1 + random.nextInt(8);
        };
    ArrayNode tasks = spec.putArray("tasks");
    List<String> names = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      tasks.add(value(() -> task(names, params)));
    }
    return spec;
  }

  private ObjectNode task(List<String> earlier, List<String> params) {
    ObjectNode task = NODES.objectNode();
    String name = taskName(earlier.size());
    task.set("name", value(() -> NODES.textNode(name)));
    if (!earlier.isEmpty() && random.nextInt(3) > 0) {
      ArrayNode dependsOn = NODES.arrayNode();
      int count = 1 + random.nextInt(Math.min(3, earlier.size()));
      for (int i = 0; i < count; i++) {
        // Mostly the last few tasks, so that long chains (deep plans) appear too.
        int back = Math.min(earlier.size(), 1 + random.nextInt(Math.min(5, earlier.size())));
        dependsOn.add(value(() -> NODES.textNode(earlier.get(earlier.size() - back))));
      }
      task.set("dependsOn", dependsOn);
    }
    List<String> refs = new ArrayList<>();
    params.forEach(p -> refs.add("#{params." + p + "}"));
    task.path("dependsOn").forEach(d -> refs.add("#{" + d.asText() + ".output}"));
    executor(task, refs);
    optional(task, "retry", this::retry);
    optional(task, "timeout", () -> NODES.textNode(duration()));
    earlier.add(name);
    return task;
  }

  private ObjectNode jobSpec() {
    ObjectNode spec = NODES.objectNode();
    List<String> params = new ArrayList<>();
    if (random.nextBoolean()) {
      spec.set("params", value(() -> params(params)));
    }
    List<String> refs = new ArrayList<>();
    params.forEach(p -> refs.add("#{params." + p + "}"));
    executor(spec, refs);
    if (random.nextBoolean()) {
      ObjectNode restart = NODES.objectNode();
      optional(restart, "maxRetries", () -> NODES.numberNode(random.nextInt(101)));
      backoff(restart);
      spec.set("restartPolicy", value(() -> restart));
    }
    optional(spec, "timeout", () -> NODES.textNode(duration()));
    if (random.nextInt(4) == 0) {
      ObjectNode parallelism = NODES.objectNode();
      optional(parallelism, "completions", () -> NODES.numberNode(1 + random.nextInt(1000)));
      optional(parallelism, "maxConcurrent", () -> NODES.numberNode(1 + random.nextInt(1000)));
      optional(
          parallelism,
          "completionStrategy",
          () -> NODES.textNode(HostileValues.pick(random, "AllSuccessful", "AnySuccessful")));
      spec.set("parallelism", value(() -> parallelism));
    }
    if (random.nextInt(5) == 0) {
      spec.set("schedule", value(this::schedule));
    }
    return spec;
  }

  private void executor(ObjectNode owner, List<String> refs) {
    int kind = random.nextInt(10);
    if (kind < 6) {
      ObjectNode simulate = NODES.objectNode();
      optional(simulate, "duration", () -> NODES.textNode(shortDuration()));
      optional(simulate, "output", () -> NODES.textNode(text(refs)));
      optional(simulate, "failAttempts", () -> NODES.numberNode(random.nextInt(3)));
      optional(simulate, "failureRate", () -> NODES.numberNode(random.nextInt(11) / 10.0));
      optional(simulate, "seed", () -> NODES.numberNode(random.nextLong()));
      owner.set("simulate", value(() -> simulate));
    } else if (kind < 8) {
      ObjectNode shell = NODES.objectNode();
      ArrayNode command = shell.putArray("command");
      command.add("echo");
      command.add(value(() -> NODES.textNode(text(refs))));
      optional(shell, "env", this::env);
      optional(shell, "workingDir", () -> NODES.textNode("/tmp"));
      owner.set("shell", value(() -> shell));
    } else if (kind < 9) {
      ObjectNode container = NODES.objectNode();
      container.set("image", value(() -> NODES.textNode("busybox:1.36")));
      optional(container, "command", () -> NODES.arrayNode().add("sh").add("-c"));
      optional(container, "args", () -> NODES.arrayNode().add(text(refs)));
      optional(container, "env", this::env);
      optional(
          container,
          "resources",
          () ->
              NODES
                  .objectNode()
                  .put("cpu", 1 + random.nextInt(8))
                  .put("memory", (1 + random.nextInt(64)) + "Gi")
                  .put("gpu", random.nextInt(17)));
      optional(container, "nodeSelector", () -> NODES.objectNode().put("pool", "general"));
      owner.set("container", value(() -> container));
    } else {
      ObjectNode gpu = NODES.objectNode();
      optional(gpu, "devices", () -> NODES.numberNode(1 + random.nextInt(16)));
      optional(
          gpu,
          "op",
          () ->
              NODES.textNode(
                  HostileValues.pick(random, "inventory", "burn-in", "bandwidth", "gemm")));
      optional(gpu, "duration", () -> NODES.textNode(shortDuration()));
      optional(gpu, "dtype", () -> NODES.textNode(HostileValues.pick(random, "fp16", "fp32")));
      optional(gpu, "minTflops", () -> NODES.numberNode(random.nextInt(500)));
      owner.set("gpu", value(() -> gpu));
    }
    if (random.nextInt(40) == 0) {
      // Two executors where one is allowed.
      owner.set("simulate", value(() -> NODES.objectNode().put("output", "second")));
    }
  }

  private JsonNode env() {
    if (random.nextBoolean()) {
      return NODES.objectNode().put("MODE", "fast").put("LEVEL", String.valueOf(random.nextInt(9)));
    }
    ArrayNode list = NODES.arrayNode();
    list.addObject().put("name", "DB_URL").put("secretRef", "db-url");
    list.addObject().put("name", "MODE").put("value", "fast");
    if (random.nextInt(5) == 0) {
      list.addObject().put("name", "BOTH").put("value", "x").put("secretRef", "y");
    }
    return list;
  }

  private JsonNode retry() {
    ObjectNode retry = NODES.objectNode();
    optional(retry, "maxAttempts", () -> NODES.numberNode(1 + random.nextInt(100)));
    backoff(retry);
    return retry;
  }

  private void backoff(ObjectNode policy) {
    boolean linear = random.nextBoolean();
    optional(policy, "backoff", () -> NODES.textNode(linear ? "linear" : "exponential"));
    if (linear) {
      optional(policy, "interval", () -> NODES.textNode(shortDuration()));
    } else {
      optional(policy, "initial", () -> NODES.textNode(shortDuration()));
      optional(policy, "max", () -> NODES.textNode(duration()));
      optional(policy, "multiplier", () -> NODES.numberNode(1 + random.nextInt(99)));
    }
  }

  private JsonNode schedule() {
    String cron =
        HostileValues.pick(
            random, "*/5 * * * *", "@every 30s", "@hourly", "0 2 * * *", "61 * * * *", "* * *");
    if (random.nextBoolean()) {
      return NODES.textNode(cron);
    }
    ObjectNode schedule = NODES.objectNode();
    schedule.set("cron", value(() -> NODES.textNode(cron)));
    optional(
        schedule,
        "overlap",
        () ->
            NODES.textNode(
                HostileValues.pick(
                    random, "skip", "bufferOne", "bufferAll", "cancelOther", "allowAll")));
    optional(schedule, "catchupWindow", () -> NODES.textNode(duration()));
    optional(schedule, "paused", () -> NODES.booleanNode(random.nextBoolean()));
    optional(
        schedule,
        "timezone",
        () -> NODES.textNode(HostileValues.pick(random, "UTC", "Europe/Paris", "Mars/Olympus")));
    return schedule;
  }

  private JsonNode params(List<String> names) {
    ObjectNode params = NODES.objectNode();
    int count = random.nextInt(10) == 0 ? 500 : 1 + random.nextInt(4);
    for (int i = 0; i < count; i++) {
      String name = "p" + i;
      params.set(name, value(() -> NODES.textNode("v" + random.nextInt(100))));
      names.add(name);
    }
    return params;
  }

  private JsonNode labels() {
    ObjectNode labels = NODES.objectNode();
    for (int i = random.nextInt(4); i >= 0; i--) {
      labels.put("k" + i, "v" + i);
    }
    return labels;
  }

  private String text(List<String> refs) {
    StringBuilder text = new StringBuilder("out");
    for (String ref : refs) {
      if (random.nextBoolean()) {
        text.append('-').append(ref);
      }
    }
    return text.toString();
  }

  private String dnsLabel() {
    return "fz-" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
  }

  private String taskName(int index) {
    return "t" + index;
  }

  private String shortDuration() {
    return random.nextInt(3) == 0 ? "0s" : (1 + random.nextInt(500)) + "ms";
  }

  private String duration() {
    return (1 + random.nextInt(999)) + UNITS[random.nextInt(UNITS.length)];
  }

  private void optional(ObjectNode owner, String field, Supplier<JsonNode> good) {
    if (random.nextBoolean()) {
      owner.set(field, value(good));
    }
  }

  /** The good value, or with probability {@code 1 - right} a hostile one in its place. */
  private JsonNode value(Supplier<JsonNode> good) {
    values++;
    if (random.nextDouble() < right) {
      return good.get();
    }
    wrong++;
    return emitter.raw(HostileValues.any(random).yaml());
  }
}
