package io.capstan.definitions;

/**
 * Where a value sits in a document, written the way people read it: {@code
 * spec.tasks[0].dependsOn[1]}, and {@code labels["app.kubernetes.io/name"]} for keys that are not
 * plain words.
 */
final class NodePath {
  static final NodePath ROOT = new NodePath(null, "");

  private final NodePath parent;
  private final String text;

  private NodePath(NodePath parent, String text) {
    this.parent = parent;
    this.text = text;
  }

  NodePath field(String name) {
    if (isWord(name)) {
      return new NodePath(this, text.isEmpty() ? name : text + "." + name);
    }
    return new NodePath(this, text + "[" + quote(name) + "]");
  }

  NodePath index(int index) {
    return new NodePath(this, text + "[" + index + "]");
  }

  /** The enclosing path; the root is its own parent. */
  NodePath parent() {
    return parent == null ? this : parent;
  }

  boolean isRoot() {
    return parent == null;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Whether {@code name} is made of letters, digits, '-' and '_' only, so needs no quotes. */
  private static boolean isWord(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean word =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!word) {
        return false;
      }
    }
    return true;
  }

  private static String quote(String name) {
    return '"' + name.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
