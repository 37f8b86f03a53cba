package io.capstan.api.intake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds where a key was written in a YAML (or JSON) text that has already been parsed and
 * validated, so refusals made after validation still name a line and column.
 */
final class SourceLocator {
  /** A 1-based position. */
  record Position(int line, int column) {}

  private static final YAMLFactory YAML = new YAMLFactory();

  private SourceLocator() {}

  /**
   * The position of the key at {@code pointer} (e.g. {@code /spec/tasks/2/container}) in the {@code
   * document}-th (0-based) document of {@code text}.
   */
  static Optional<Position> locate(String text, int document, JsonPointer pointer) {
    try (JsonParser parser = YAML.createParser(text)) {
      int current = -1;
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token.isStructStart() && parser.getParsingContext().getParent().inRoot()) {
          current++;
        }
        if (current == document
            && token == JsonToken.FIELD_NAME
            && parser.getParsingContext().pathAsPointer().equals(pointer)) {
          JsonLocation at = parser.currentTokenLocation();
          return Optional.of(new Position(at.getLineNr(), at.getColumnNr()));
        }
        if (current > document) {
          break;
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      // Only a validated text reaches here; if it still cannot be read, the position is unknown.
    }
    return Optional.empty();
  }
}
