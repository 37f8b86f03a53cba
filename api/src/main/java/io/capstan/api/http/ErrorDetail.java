package io.capstan.api.http;

import io.capstan.definitions.Problem;

/**
 * One thing to fix: where it is ({@code path} in the document or request, and the 1-based line and
 * column when known) and what is wrong.
 */
public record ErrorDetail(String path, Integer line, Integer column, String message) {
  /** A detail with no position in a source document, such as a query parameter. */
  public static ErrorDetail at(String path, String message) {
    return new ErrorDetail(path, null, null, message);
  }

  /** A problem found in a definition, at its position when the parser knew it. */
  public static ErrorDetail of(Problem problem) {
    return new ErrorDetail(
        problem.path(),
        problem.line() > 0 ? problem.line() : null,
        problem.column() > 0 ? problem.column() : null,
        problem.message());
  }
}
