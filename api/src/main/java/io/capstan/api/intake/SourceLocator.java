package io.capstan.api.intake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds where a key was written in a YAML (or JSON) text that has already been parsed and
 * validated, so refusals made after validation still name a line and column.
 */
final class SourceLocator {
  /** A 1-based position. */
  record Position(int line, int column) {}

  /** A key to find: the {@code document}-th (0-based) document's key at {@code pointer}. */
  record Key(int document, JsonPointer pointer) {}

  private static final YAMLFactory YAML = new YAMLFactory();

  private SourceLocator() {}

  /**
   * The position of the key at {@code pointer} (e.g. {@code /spec/tasks/2/container}) in the {@code
   * document}-th (0-based) document of {@code text}.
   */
  static Optional<Position> locate(String text, int document, JsonPointer pointer) {
    Key key = new Key(document, pointer);
    return Optional.ofNullable(locateAll(text, Set.of(key)).get(key));
  }

  /**
   * The positions of several keys, found in one pass over the text: a refusal that names many keys
   * of a large document must not read it once per key.
   */
  static Map<Key, Position> locateAll(String text, Set<Key> keys) {
    Map<Key, Position> found = new HashMap<>();
    if (keys.isEmpty()) {
      return found;
    }
    int last = keys.stream().mapToInt(Key::document).max().orElse(-1);
    try (JsonParser parser = YAML.createParser(text)) {
      int current = -1;
      JsonToken token;
      while ((token = parser.nextToken()) != null && found.size() < keys.size()) {
        if (token.isStructStart() && parser.getParsingContext().getParent().inRoot()) {
          current++;
          if (current > last) {
            break;
          }
        }
        if (token == JsonToken.FIELD_NAME) {
          Key key = new Key(current, parser.getParsingContext().pathAsPointer());
          if (keys.contains(key) && !found.containsKey(key)) {
            JsonLocation at = parser.currentTokenLocation();
            found.put(key, new Position(at.getLineNr(), at.getColumnNr()));
          }
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // Only a validated text reaches here; if it still cannot be read, the positions are unknown.
    }
    return found;
  }
}
