package io.capstan.definitions;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" hints: the known word closest to a misspelt one, if any is close enough. */
final class Suggestions {
  /** Words and candidates longer than this get no suggestion: no name in a definition is. */
  static final int MAX_LENGTH = 256;

  private Suggestions() {}

  /**
   * The candidate nearest to {@code word} by edit distance, ignoring case, when it is within a
   * third of the word's length (at least one edit); otherwise empty.
   */
  static Optional<String> closest(String word, Collection<String> candidates) {
    // Names, fields and keys are short; edit distance is quadratic in length, so a long string
    // (a fuzzer's 130,000-character task name took 5 s) gets no suggestion rather than a stall.
    if (word == null || word.isEmpty() || word.length() > MAX_LENGTH) {
      return Optional.empty();
    }
    String wanted = word.toLowerCase(Locale.ROOT);
    int allowed = Math.max(1, word.length() / 3);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      if (candidate.equals(word) || candidate.length() > MAX_LENGTH) {
        continue;
      }
      int distance = distance(wanted, candidate.toLowerCase(Locale.ROOT), allowed);
      if (distance <= allowed && distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return Optional.ofNullable(best);
  }

  /** {@code " (did you mean 'x'?)"}, or an empty string when nothing is close. */
  static String didYouMean(String word, Collection<String> candidates) {
    return closest(word, candidates).map(s -> " (did you mean '" + s + "'?)").orElse("");
  }

  /** Levenshtein distance, giving up early (returning a larger number) beyond {@code limit}. */
  private static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) {
      return limit + 1;
    }
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      int rowMin = current[0];
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
        rowMin = Math.min(rowMin, current[j]);
      }
      if (rowMin > limit) {
        return limit + 1;
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
