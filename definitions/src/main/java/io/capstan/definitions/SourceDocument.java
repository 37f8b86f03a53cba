package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One YAML document as a JSON tree, together with where each key and value was written and the
 * exact text of each plain number or boolean, so problems found on the tree can name a line and
 * column and string fields keep what the user typed ({@code 1.10} stays {@code "1.10"}).
 */
final class SourceDocument {
  private record Position(int line, int column) {}

  private final Map<String, Position> values = new HashMap<>();
  private final Map<String, Position> keys = new HashMap<>();
  private final Map<JsonNode, String> writtenText = new IdentityHashMap<>();
  private final List<Problem> problems = new ArrayList<>();
  private JsonNode root;

  JsonNode root() {
    return root;
  }

  void root(JsonNode root) {
    this.root = root;
  }

  /** Problems found while reading the document: duplicate keys, oversized strings. */
  List<Problem> readingProblems() {
    return problems;
  }

  void valueAt(NodePath path, int line, int column) {
    values.putIfAbsent(path.toString(), new Position(line, column));
  }

  void keyAt(NodePath path, int line, int column) {
    keys.putIfAbsent(path.toString(), new Position(line, column));
  }

  void written(JsonNode scalar, String text) {
    writtenText.put(scalar, text);
  }

  /** The text a scalar was written as, or its JSON text when it was not read from YAML. */
  String writtenText(JsonNode scalar) {
    String text = writtenText.get(scalar);
    return text != null ? text : scalar.asText();
  }

  /** A problem positioned at the value at {@code path}, or at its nearest written ancestor. */
  Problem problem(NodePath path, String message) {
    Position at = find(values, path);
    return new Problem(path.toString(), at.line(), at.column(), message);
  }

  /** A problem positioned at the key of {@code path}: for unknown and duplicate fields. */
  Problem keyProblem(NodePath path, String message) {
    Position at = keys.get(path.toString());
    return at == null
        ? problem(path, message)
        : new Problem(path.toString(), at.line(), at.column(), message);
  }

  void report(Problem problem) {
    problems.add(problem);
  }

  /** The 1-based line the value at {@code path} (or its nearest written ancestor) starts on. */
  int lineOf(NodePath path) {
    return find(values, path).line();
  }

  private static Position find(Map<String, Position> positions, NodePath path) {
    NodePath at = path;
    while (true) {
      Position found = positions.get(at.toString());
      if (found != null) {
        return found;
      }
      if (at.isRoot()) {
        return new Position(1, 1);
      }
      at = at.parent();
    }
  }
}
