package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Keeps the text people wrote in string fields. YAML reads {@code cpu: 2}, {@code [sleep, 5]} or
 * {@code version: 1.10} as numbers; where the model holds a string, the value becomes exactly the
 * text written ({@code "1.10"}, not {@code "1.1"}). Which fields hold strings is read from the
 * records themselves, so the rule follows the model as it grows.
 */
final class TextFields {
  private static final ClassValue<RecordComponent[]> COMPONENTS =
      new ClassValue<>() {
        @Override
        protected RecordComponent[] computeValue(Class<?> type) {
          return type.getRecordComponents();
        }
      };

  private TextFields() {}

  /** The kind a document is, by its {@code kind} field; null for an unknown kind. */
  static DefinitionKinds.Kind kindOf(JsonNode root) {
    JsonNode kind = root.get("kind");
    if (kind == null || !kind.isTextual()) {
      return null;
    }
    return DefinitionKinds.named(kind.asText()).orElse(null);
  }

  /** The record type a document binds to, by its {@code kind}; null for an unknown kind. */
  static Class<? extends Definition> typeOf(JsonNode root) {
    DefinitionKinds.Kind kind = kindOf(root);
    return kind == null ? null : kind.type();
  }

  /** Rewrites, in place, every number or boolean written where the model expects a string. */
  static void keepWrittenText(SourceDocument document) {
    JsonNode root = document.root();
    Class<? extends Definition> type = root.isObject() ? typeOf(root) : null;
    if (type != null) {
      rewrite(root, type, document);
    }
  }

  private static JsonNode rewrite(JsonNode node, Type type, SourceDocument document) {
    Class<?> raw = raw(type);
    if (raw == String.class) {
      return node.isNumber() || node.isBoolean()
          ? JsonNodeFactory.instance.textNode(document.writtenText(node))
          : node;
    }
    if (raw.isRecord() && node instanceof ObjectNode object) {
      for (RecordComponent component : COMPONENTS.get(raw)) {
        JsonNode child = object.get(component.getName());
        if (child != null) {
          object.set(component.getName(), rewrite(child, component.getGenericType(), document));
        }
      }
    } else if (List.class.isAssignableFrom(raw) && node instanceof ArrayNode array) {
      Type item = argument(type, 0);
      for (int i = 0; i < array.size(); i++) {
        array.set(i, rewrite(array.get(i), item, document));
      }
    } else if (Map.class.isAssignableFrom(raw) && node instanceof ObjectNode object) {
      rewriteValues(object, argument(type, 1), document);
    } else if (List.class.isAssignableFrom(raw) && node instanceof ObjectNode object) {
      // A list that may also be written as a map of name to value (env) holds strings by name.
      rewriteValues(object, String.class, document);
    }
    return node;
  }

  private static void rewriteValues(ObjectNode object, Type value, SourceDocument document) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      object.set(name, rewrite(object.get(name), value, document));
    }
  }

  private static Class<?> raw(Type type) {
    if (type instanceof Class<?> c) {
      return c;
    }
    if (type instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class;
  }

  private static Type argument(Type type, int index) {
    return type instanceof ParameterizedType p ? p.getActualTypeArguments()[index] : Object.class;
  }
}
