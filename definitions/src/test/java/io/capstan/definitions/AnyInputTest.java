package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName(
    "Any input gets an answer: definitions, or problems found by validation, never a crash")
class AnyInputTest {
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final String JOB =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: j, labels: {a: b}}
      spec:
        params: {p: x}
        shell: {command: [echo, "#{params.p}"], env: {A: b}, workingDir: /tmp}
        restartPolicy: {maxRetries: 1, backoff: exponential, initial: 1s, max: 2s}
        timeout: 1m
        parallelism: {completions: 2, maxConcurrent: 1, completionStrategy: AnySuccessful}
      """;

  private static final String CLUSTER =
      """
      apiVersion: capstan.io/v1
      kind: Cluster
      metadata: {name: c}
      spec:
        provider: simulated
        region: us-west-2
        kubernetes: {context: kind}
        network: {subnets: [subnet-1], securityGroups: [sg-1]}
        nodePools:
          - name: gpu
            instanceType: p4d.24xlarge
            launchTemplate: {name: t, version: "3"}
            minSize: 1
            desiredSize: 1
            maxSize: 2
            labels: {pool: gpu}
            taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
            spot: {maxPrice: "2.0"}
            gpu: {perNode: 8, validate: {op: burn-in, duration: 30s, minTflops: 10}}
            zones: [us-west-2a]
            simulate: {bootDelay: 1s, readyDelay: 1s, neverBoot: false, neverReady: false, zonesOutOfCapacity: [us-west-2b]}
        autoscaling: {enabled: true, minNodes: 1, maxNodes: 2, targetCpuUtilization: 50, targetGpuUtilization: 50, scaleDownDelay: 1m}
        budget: {monthlyLimit: 100, alerts: [{thresholdPercent: 80, webhook: "https://h.example.com/a"}], onBudget: alert}
        readyTimeout: 5m
      """;

  @Test
  void replacingAnyValueWithAnyOtherKindOfValueNeverCrashesTheParser() throws Exception {
    List<String> crashes = new ArrayList<>();
    for (String source : List.of(DefinitionParserTest.SPEC_PIPELINE, JOB, CLUSTER)) {
      JsonNode original = YAML.readTree(source);
      for (String pointer : pointers(original, "")) {
        for (JsonNode replacement : replacements()) {
          JsonNode mutated = original.deepCopy();
          replace(mutated, pointer, replacement);
          String yaml = YAML.writeValueAsString(mutated);
          try {
            DefinitionParser.parse(yaml);
          } catch (DefinitionException expected) {
            assertThat(expected.problems()).isNotEmpty();
            expected.problems().stream()
                .filter(p -> p.message().startsWith(DefinitionParser.UNREADABLE))
                .forEach(
                    p -> crashes.add(pointer + " = " + replacement + ": validated, then " + p));
          } catch (RuntimeException crash) {
            crashes.add(pointer + " = " + replacement + ": " + crash);
          }
        }
      }
    }

    assertThat(crashes).isEmpty();
  }

  private static List<JsonNode> replacements() {
    ArrayNode list = NODES.arrayNode().add(1).add("x");
    ObjectNode map = NODES.objectNode().put("name", "n").put("x", 1);
    return List.of(
        NODES.nullNode(),
        NODES.numberNode(-1),
        NODES.numberNode(1.5),
        NODES.booleanNode(true),
        NODES.textNode("#{nowhere.output}"),
        NODES.arrayNode(),
        list,
        NODES.objectNode(),
        map);
  }

  private static List<String> pointers(JsonNode node, String at) {
    List<String> found = new ArrayList<>();
    if (!at.isEmpty()) {
      found.add(at);
    }
    if (node.isObject()) {
      node.fieldNames()
          .forEachRemaining(name -> found.addAll(pointers(node.get(name), at + "/" + name)));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        found.addAll(pointers(node.get(i), at + "/" + i));
      }
    }
    return found;
  }

  private static void replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1);
    Consumer<JsonNode> set =
        parent.isArray()
            ? v -> ((ArrayNode) parent).set(Integer.parseInt(last), v)
            : v -> ((ObjectNode) parent).set(last, v);
    set.accept(value);
  }
}
