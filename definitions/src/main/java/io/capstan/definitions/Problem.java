package io.capstan.definitions;

/**
 * One thing wrong with a definition: where it is ({@code path} such as {@code
 * spec.tasks[2].dependsOn[0]}, with the 1-based {@code line} and {@code column} it was written at)
 * and what a person should do about it.
 *
 * <p>The path is empty for a problem with the whole input (a YAML syntax error, an empty body).
 * When a stream holds several documents, paths start with {@code documents[N]}.
 */
public record Problem(String path, int line, int column, String message) {
  public Problem {
    path = path == null ? "" : path;
  }

  /** {@code path: message (line L, column C)}, the form people read in logs and the CLI. */
  @Override
  public String toString() {
    String where = "line " + line + ", column " + column;
    return path.isEmpty() ? where + ": " + message : path + ": " + message + " (" + where + ")";
  }
}
