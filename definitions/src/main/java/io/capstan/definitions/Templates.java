package io.capstan.definitions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code #{params.NAME}} and {@code #{TASK.output}} references in task fields, and their
 * substitution. Substitution happens just before a task starts, so a task sees the outputs of the
 * ancestors it names.
 */
public final class Templates {
  /** A reference: {@code #{scope.key}}, with optional blanks inside the braces. */
  public static final Pattern REFERENCE =
      Pattern.compile("#\\{\\s*([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)\\s*}");

  public static final String PARAMS = "params";
  public static final String OUTPUT = "output";

  /** One reference found in a string: {@code scope} is {@code params} or a task name. */
  public record Reference(String text, String scope, String key) {
    public boolean isParam() {
      return PARAMS.equals(scope);
    }
  }

  private Templates() {}

  /** Every reference in {@code text}, in order; empty for null. */
  public static List<Reference> references(String text) {
    List<Reference> found = new ArrayList<>();
    if (text == null) {
      return found;
    }
    Matcher m = REFERENCE.matcher(text);
    while (m.find()) {
      found.add(new Reference(m.group(), m.group(1), m.group(2)));
    }
    return found;
  }

  /**
   * Replaces every reference in {@code text} with its value: params from {@code params}, task
   * outputs from {@code outputs} (task name to output). A reference without a value is left as
   * written; validation guarantees that none remains in a validated definition.
   */
  public static String render(
      String text, Map<String, String> params, Map<String, String> outputs) {
    if (text == null || text.indexOf("#{") < 0) {
      return text;
    }
    Matcher m = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String scope = m.group(1);
      String key = m.group(2);
      String value = null;
      if (PARAMS.equals(scope)) {
        value = params.get(key);
      } else if (OUTPUT.equals(key)) {
        value = outputs.get(scope);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** A renderer bound to the given params and outputs, for the specs' {@code render} methods. */
  public static UnaryOperator<String> renderer(
      Map<String, String> params, Map<String, String> outputs) {
    return text -> render(text, params, outputs);
  }
}
