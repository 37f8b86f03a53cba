package io.capstan.definitions.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tree as block YAML or JSON, with some values written as raw YAML text. A raw value
 * stands in the tree as a placeholder string that the emitted text then replaces, which is how
 * {@code .nan}, {@code -0}, tags and aliases get into a document that Jackson writes.
 */
final class TreeEmitter {
  private static final YAMLMapper YAML =
      YAMLMapper.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, String> raws = new LinkedHashMap<>();

  /** A placeholder node that is written as {@code yaml}, verbatim. */
  TextNode raw(String yaml) {
    String key = "zzraw" + raws.size() + "zz";
    raws.put(key, yaml);
    return TextNode.valueOf(key);
  }

  /** A placeholder for a map key written as {@code yaml}, verbatim. */
  String rawKey(String yaml) {
    return raw(yaml).textValue();
  }

  String yaml(JsonNode tree) {
    try {
      return substitute(YAML.writeValueAsString(tree));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the generated tree as YAML", e);
    }
  }

  String json(JsonNode tree, boolean pretty) {
    try {
      String text =
          pretty
              ? JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree)
              : JSON.writeValueAsString(tree);
      return substitute(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the generated tree as JSON", e);
    }
  }

  private String substitute(String text) {
    // Placeholders end in "zz", so none is a prefix of another (zzraw1zz, zzraw12zz).
    String out = text;
    for (Map.Entry<String, String> raw : raws.entrySet()) {
      out = out.replace("\"" + raw.getKey() + "\"", raw.getValue());
      out = out.replace("'" + raw.getKey() + "'", raw.getValue());
      out = out.replace(raw.getKey(), raw.getValue());
    }
    return out;
  }
}
