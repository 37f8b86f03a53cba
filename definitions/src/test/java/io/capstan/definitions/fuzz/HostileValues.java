package io.capstan.definitions.fuzz;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Scalars and small structures that break parsers: numbers at the limits of int, long and double,
 * YAML's special floats, every spelling of null and boolean, durations that overflow, templates
 * that do not close, text near and over the length limit, and unicode that renders in surprising
 * ways (right-to-left overrides, zero-width joiners, lone surrogates, NUL).
 *
 * <p>Each is the YAML text written in place of a value (in flow context, so inside a JSON document
 * too), because the interesting spellings ({@code .nan}, {@code -0}, {@code !!binary}) have no
 * Jackson node that writes them.
 */
public final class HostileValues {
  /** The longest text a definition may hold; see {@code YamlDocuments.MAX_TEXT}. */
  static final int TEXT_LIMIT = 65_536;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A value to write somewhere, and what it is, for the case's label. */
  record Value(String what, String yaml) {}

  private static final List<Value> FIXED = fixed();

  private HostileValues() {}

  /** A hostile value, most often one of the fixed catalogue, sometimes a fresh random text. */
  static Value any(Random random) {
    return switch (random.nextInt(10)) {
      case 0 -> text("random unicode", randomUnicode(random, 1 + random.nextInt(40)));
      case 1 -> hugeText(random);
      default -> FIXED.get(random.nextInt(FIXED.size()));
    };
  }

  /** A number at or past a limit. */
  static Value number(Random random) {
    List<Value> numbers = FIXED.stream().filter(v -> v.what().startsWith("number")).toList();
    return numbers.get(random.nextInt(numbers.size()));
  }

  /** Text of about the length limit: just under, at, just over, or far over it. */
  static Value hugeText(Random random) {
    int[] lengths = {TEXT_LIMIT - 1, TEXT_LIMIT, TEXT_LIMIT + 1, 4 * TEXT_LIMIT, 1000};
    int length = lengths[random.nextInt(lengths.length)];
    String unit = random.nextBoolean() ? "x" : pick(random, "é", "\u200b", "😀", "#{");
    StringBuilder text = new StringBuilder(length);
    while (text.length() < length) {
      text.append(unit);
    }
    text.setLength(length);
    return text("text of " + length + " chars of '" + describe(unit) + "'", text.toString());
  }

  /** Random text from the alphabets that hurt: YAML syntax, controls, bidi, surrogates. */
  public static String randomUnicode(Random random, int length) {
    String[] pools = {
      "abcxyz-_09 ",
      ":-[]{}&*!|>'\"%@`#,?\\",
      "\u0000\u0001\u0007\u0008\u000b\u000c\u001b\u007f\u0085",
      "\u202e\u202d\u2066\u2067\u2068\u2069\u200f\u200e\u061c",
      "\u200b\u200c\u200d\u2060\ufeff\u00ad",
      "\u2028\u2029\r\n\t",
      "مرحبا שלום 日本語 한국어",
      "\ud83d\ude00\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67",
      "\ud800\udbff\udc00\udfff",
      "\ue000\uffff\ufffe\ufffd",
      "e\u0301\u0308\u0327",
      "аеорсух",
    };
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      String pool = pools[random.nextInt(pools.length)];
      text.append(pool.charAt(random.nextInt(pool.length())));
    }
    return text.toString();
  }

  /** A value that is this text, written as a JSON string (YAML reads it the same). */
  static Value text(String what, String text) {
    return new Value(what, quoted(text));
  }

  /** {@code text} as a double-quoted string: controls escaped, other unicode as is. */
  static String quoted(String text) {
    try {
      return JSON.writeValueAsString(text);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a string is always writable as JSON", e);
    }
  }

  public static String pick(Random random, String... choices) {
    return choices[random.nextInt(choices.length)];
  }

  private static String describe(String unit) {
    return unit.codePoints()
        .mapToObj(c -> c < 0x20 || c > 0x7e ? String.format("U+%04X", c) : Character.toString(c))
        .reduce("", String::concat);
  }

  private static List<Value> fixed() {
    List<Value> values = new ArrayList<>();
    // Integers at the edges of int, long and beyond, in every notation the YAML core schema has.
    String[][] numbers = {
      {"2^31-1", "2147483647"},
      {"2^31", "2147483648"},
      {"-2^31-1", "-2147483649"},
      {"2^63-1", "9223372036854775807"},
      {"2^63", "9223372036854775808"},
      {"-2^63-1", "-9223372036854775809"},
      {"2^64", "18446744073709551616"},
      {"100 digits", "1" + "0".repeat(99)},
      {"101 digits", "1" + "0".repeat(100)},
      {"1000 nines", "9".repeat(1000)},
      {"hex 2^31", "0x80000000"},
      {"hex 2^72", "0xFFFFFFFFFFFFFFFFFF"},
      {"octal", "0o777"},
      {"YAML 1.1 binary", "0b1010"},
      {"underscored", "1_000"},
      {"sexagesimal", "190:20:30"},
      {"1e308", "1e308"},
      {"max double", "1.7976931348623157e308"},
      {"1e309 (overflows double)", "1e309"},
      {"-1e309", "-1e309"},
      {"min subnormal", "4.9e-324"},
      {"1e-400 (underflows)", "1e-400"},
      {"-0", "-0"},
      {"-0.0", "-0.0"},
      {"+0", "+0"},
      {".inf", ".inf"},
      {"-.inf", "-.inf"},
      {"+.INF", "+.INF"},
      {".nan", ".nan"},
      {".NaN", ".NaN"},
      {"NaN", "NaN"},
      {"Infinity", "Infinity"},
      {"-1", "-1"},
      {"0", "0"},
      {"0.5", "0.5"},
      {"1.0000000000000002", "1.0000000000000002"},
      {"3.", "3."},
      {".5", ".5"},
    };
    for (String[] number : numbers) {
      values.add(new Value("number " + number[0], number[1]));
    }
    // Every spelling of null and boolean, in YAML 1.1 and 1.2.
    for (String word :
        new String[] {
          "~", "null", "Null", "NULL", "true", "True", "FALSE", "yes", "No", "on", "OFF", "y", "n"
        }) {
      values.add(new Value("word " + word, word));
    }
    values.add(new Value("empty string", "\"\""));
    values.add(new Value("blank string", "\"   \""));
    // Durations: at the pattern's limits, overflowing, negative, malformed.
    for (String duration :
        new String[] {
          "0s",
          "999999999d",
          "999999999d999999999d999999999d999999999h",
          "999999999ms",
          "P999999999D",
          "PT999999999H999999999M999999999.999999999S",
          "PT-1S",
          "-1s",
          "1.5h",
          "1e3s",
          "10 s",
          "10",
          "P",
          "PT",
          "9223372036854775807s",
          "1h30m",
          "500ms",
        }) {
      values.add(text("duration " + duration, duration));
    }
    // Templates: unclosed, empty, nested, referring to nothing, enormous.
    for (String template :
        new String[] {
          "#{",
          "#{}",
          "#{params.}",
          "#{params.nope}",
          "#{nowhere.output}",
          "#{extract.output}",
          "#{#{params.x}}",
          "#{params.x",
          "}#{",
          "#{ params.source }",
          "#{params.source}#{params.source}#{params.source}",
          "#{".repeat(5000),
          "#{params." + "x".repeat(1000) + "}",
        }) {
      values.add(
          text(
              "template " + (template.length() > 40 ? template.length() + " chars" : template),
              template));
    }
    // Unicode that renders in surprising ways, and characters YAML forbids.
    String[][] unicode = {
      {"RTL override", "\u202eevil\u202c.yaml"},
      {"Arabic and Hebrew", "مرحبا-שלום"},
      {"zero-width space", "ex\u200btract"},
      {"zero-width joiner emoji", "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67"},
      {"combining marks", "e\u0301\u0308\u0327"},
      {"Cyrillic homoglyph", "extr\u0430ct"},
      {"BOM inside", "a\ufeffb"},
      {"line separator", "a\u2028b"},
      {"NUL", "a\u0000b"},
      {"bell and escape", "\u0007\u001b[31m"},
      {"C1 control NEL", "a\u0085b"},
      {"noncharacter U+FFFF", "\uffff"},
      {"private use", "\ue000"},
      {"max code point", new String(Character.toChars(0x10ffff))},
      {"full-width", "ｅｘｔｒａｃｔ"},
    };
    for (String[] text : unicode) {
      values.add(text("unicode " + text[0], text[1]));
    }
    // Escapes only YAML reads: a lone surrogate cannot be written as UTF-8, but YAML makes one.
    String[][] escapes = {
      {"lone high surrogate", "\"\\uD800\""},
      {"lone low surrogate", "\"\\uDC00\""},
      {"reversed surrogate pair", "\"\\uDC00\\uD800\""},
      {"escaped NUL", "\"\\0\""},
      {"escaped U+10FFFF", "\"\\U0010FFFF\""},
      {"escaped NEL", "\"\\N\""},
      {"escaped bad code point", "\"\\U00110000\""},
      {"bad escape", "\"\\q\""},
    };
    for (String[] escape : escapes) {
      values.add(new Value("escape " + escape[0], escape[1]));
    }
    // Collections where scalars belong, and the reverse.
    String[][] shapes = {
      {"empty list", "[]"},
      {"empty map", "{}"},
      {"nested lists", "[[[[]]]]"},
      {"list of maps", "[{a: 1}, {b: 2}]"},
      {"map of maps", "{a: {b: {c: d}}}"},
      {"list of nulls", "[~, ~]"},
      {"merge key", "{<<: {name: merged}, x: 1}"},
      {"complex key", "{[a, b]: c}"},
      {"null key", "{~: x}"},
    };
    for (String[] shape : shapes) {
      values.add(new Value("shape " + shape[0], shape[1]));
    }
    // Tags, anchors and aliases: local types, unknown tags, aliases to nothing, self-reference.
    String[][] tags = {
      {"binary", "!!binary aGVsbG8="},
      {"set", "!!set {a, b}"},
      {"omap", "!!omap [a: 1, b: 2]"},
      {"timestamp", "!!timestamp 2001-12-14t21:59:43.10-05:00"},
      {"str of number", "!!str 5"},
      {"int of text", "!!int abc"},
      {"float of text", "!!float xyz"},
      {"java type", "!!java.lang.ProcessBuilder [x]"},
      {"python type", "!!python/object/apply:os.system [ls]"},
      {"verbatim tag", "!<tag:yaml.org,2002:str> x"},
      {"local tag", "!local x"},
      {"non-specific tag", "! 5"},
      {"undefined alias", "*nowhere"},
      {"anchored scalar", "&anchor x"},
      {"self-referencing list", "&loop [*loop]"},
      {"anchor then alias", "[&one 1, *one, *one]"},
    };
    for (String[] tag : tags) {
      values.add(new Value("tag " + tag[0], tag[1]));
    }
    return List.copyOf(values);
  }
}
