package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

/** What the parser says about definitions it refuses, in the forms tests compare against. */
final class Rejections {
  private Rejections() {}

  /** The exception refusing {@code yaml}; fails the test when the definition is accepted. */
  static DefinitionException of(String yaml) {
    return of(yaml, Set.of());
  }

  static DefinitionException of(String yaml, Set<String> extraParams) {
    Throwable[] caught = new Throwable[1];
    assertThatThrownBy(() -> DefinitionParser.parse(yaml, extraParams))
        .isInstanceOfSatisfying(DefinitionException.class, e -> caught[0] = e);
    return (DefinitionException) caught[0];
  }

  /** The exception refusing a UTF-8 {@code body}. */
  static DefinitionException ofBytes(byte[] body) {
    Throwable[] caught = new Throwable[1];
    assertThatThrownBy(() -> DefinitionParser.parse(body))
        .isInstanceOfSatisfying(DefinitionException.class, e -> caught[0] = e);
    return (DefinitionException) caught[0];
  }

  /** Every problem as {@code path: message}, the line people read. */
  static List<String> messages(String yaml) {
    return messages(yaml, Set.of());
  }

  static List<String> messages(String yaml, Set<String> extraParams) {
    return of(yaml, extraParams).problems().stream()
        .map(p -> p.path() + ": " + p.message())
        .toList();
  }

  /** Every problem as {@code line:column path: message}. */
  static List<String> located(String yaml) {
    return of(yaml).problems().stream()
        .map(p -> p.line() + ":" + p.column() + " " + p.path() + ": " + p.message())
        .toList();
  }
}
