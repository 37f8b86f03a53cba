package io.capstan.definitions.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Random;

/** Trees of any shape, sometimes under the keys a definition has, with hostile leaves. */
final class RandomTrees {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String[] KEYS = {
    "apiVersion",
    "kind",
    "metadata",
    "spec",
    "name",
    "tasks",
    "simulate",
    "shell",
    "dependsOn",
    "params",
    "retry",
    "timeout",
    "schedule",
    "env"
  };

  private RandomTrees() {}

  static JsonNode any(Random random, TreeEmitter emitter, int depth) {
    if (depth <= 0 || random.nextInt(4) == 0) {
      return leaf(random, emitter);
    }
    if (random.nextBoolean()) {
      ObjectNode map = NODES.objectNode();
      for (int i = random.nextInt(6); i >= 0; i--) {
        String key =
            random.nextInt(3) == 0
                ? DefinitionFuzzer.oddKey(random)
                : KEYS[random.nextInt(KEYS.length)];
        map.set(key, any(random, emitter, depth - 1));
      }
      return map;
    }
    ArrayNode list = NODES.arrayNode();
    for (int i = random.nextInt(6); i > 0; i--) {
      list.add(any(random, emitter, depth - 1));
    }
    return list;
  }

  private static JsonNode leaf(Random random, TreeEmitter emitter) {
    return switch (random.nextInt(5)) {
      case 0 -> NODES.numberNode(random.nextLong());
      case 1 -> NODES.textNode(HostileValues.randomUnicode(random, random.nextInt(20)));
      case 2 -> NODES.booleanNode(random.nextBoolean());
      default -> emitter.raw(HostileValues.any(random).yaml());
    };
  }
}
