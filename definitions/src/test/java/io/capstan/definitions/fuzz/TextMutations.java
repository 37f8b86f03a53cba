package io.capstan.definitions.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutations of definition text as a careless editor or a hostile client makes them: lines cut,
 * repeated, swapped and reindented; YAML syntax and control characters dropped in; anchors and
 * aliases added; line endings and encodings changed.
 */
final class TextMutations {
  /** A mutated text and what was done to it. */
  record Result(String text, String what) {}

  /** A body that is no longer UTF-8, and how it was made. */
  record Bytes(byte[] bytes, String what) {}

  private static final String SYNTAX = ":-[]{}&*!|>'\"%@`#,?\\ \t\n";
  private static final String[] INSERTS = {
    "\u0000", "\ufeff", "\u2028", "\u0085", "\u202e", "\u200b", "\t", "\r", "\u001b", "\ud800",
    "\udc00", "\uffff", "\u0007"
  };

  private TextMutations() {}

  static Result apply(String text, Random random) {
    List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n", -1)));
    int line = random.nextInt(lines.size());
    switch (random.nextInt(16)) {
      case 0 -> {
        int from = random.nextInt(text.length() + 1);
        int to = Math.min(text.length(), from + 1 + random.nextInt(40));
        return new Result(text.substring(0, from) + text.substring(to), "cut " + from + ".." + to);
      }
      case 1 -> {
        StringBuilder junk = new StringBuilder();
        for (int i = 1 + random.nextInt(5); i > 0; i--) {
          junk.append(SYNTAX.charAt(random.nextInt(SYNTAX.length())));
        }
        int at = random.nextInt(text.length() + 1);
        return new Result(
            text.substring(0, at) + junk + text.substring(at),
            "insert " + HostileValues.quoted(junk.toString()) + " at " + at);
      }
      case 2 -> {
        int copies = random.nextInt(8) == 0 ? 100 + random.nextInt(2000) : 1;
        for (int i = 0; i < copies; i++) {
          lines.add(line, lines.get(line));
        }
        return new Result(String.join("\n", lines), "repeat line " + (line + 1) + " x" + copies);
      }
      case 3 -> {
        int other = random.nextInt(lines.size());
        String swapped = lines.get(line);
        lines.set(line, lines.get(other));
        lines.set(other, swapped);
        return new Result(
            String.join("\n", lines), "swap lines " + (line + 1) + " and " + (other + 1));
      }
      case 4 -> {
        String indent = HostileValues.pick(random, " ", "   ", "\t", "        ");
        lines.set(
            line, random.nextBoolean() ? indent + lines.get(line) : lines.get(line).stripLeading());
        return new Result(String.join("\n", lines), "reindent line " + (line + 1));
      }
      case 5 -> {
        int at = random.nextInt(text.length() + 1);
        return new Result(text.substring(0, at), "truncate at " + at);
      }
      case 6 -> {
        String marker = HostileValues.pick(random, "---", "...", "--- |", "--- >", "---\n---");
        lines.add(line, marker);
        return new Result(String.join("\n", lines), "insert '" + marker + "' before line " + line);
      }
      case 7 -> {
        return anchorAndAlias(lines, random);
      }
      case 8 -> {
        String insert = INSERTS[random.nextInt(INSERTS.length)];
        int at = random.nextInt(text.length() + 1);
        return new Result(
            text.substring(0, at) + insert + text.substring(at),
            "insert " + String.format("U+%04X", (int) insert.charAt(0)) + " at " + at);
      }
      case 9 -> {
        boolean crOnly = random.nextBoolean();
        return new Result(
            text.replace("\n", crOnly ? "\r" : "\r\n"), crOnly ? "CR line ends" : "CRLF");
      }
      case 10 -> {
        return new Result(text.replace("  ", "\t"), "tabs for indentation");
      }
      case 11 -> {
        String directive =
            HostileValues.pick(
                random,
                "%YAML 1.1\n---\n",
                "%YAML 2.0\n---\n",
                "%YAML 1.2\n%YAML 1.2\n---\n",
                "%TAG ! tag:evil.example,2000:\n---\n",
                "%TAG !e! tag:yaml.org,2002:\n--- !e!map\n",
                "%FOO bar\n---\n");
        return new Result(
            directive + text, "directive " + directive.lines().findFirst().orElse(""));
      }
      case 12 -> {
        int count = Integer.parseInt(HostileValues.pick(random, "2", "99", "100", "101", "150"));
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < count; i++) {
          stream.append("---\n").append(text).append('\n');
        }
        return new Result(stream.toString(), "the document " + count + " times in one stream");
      }
      case 13 -> {
        String key = lines.get(line).strip();
        int colon = key.indexOf(':');
        if (colon <= 0) {
          return new Result(text + "\nkind: Job\n", "duplicate key kind");
        }
        String indent =
            lines
                .get(line)
                .substring(0, lines.get(line).length() - lines.get(line).stripLeading().length());
        lines.add(line + 1, indent + key.substring(0, colon) + ": duplicate");
        return new Result(
            String.join("\n", lines), "duplicate key '" + key.substring(0, colon) + "'");
      }
      case 14 -> {
        String scalar =
            HostileValues.pick(
                random,
                "|\n  a\n b",
                "|9\n x",
                "|0\n x",
                ">-\n\n\n  folded",
                "|+\n\n",
                "'unterminated",
                "\"unterminated",
                "[unclosed",
                "{unclosed: ");
        lines.set(line, lines.get(line) + " " + scalar);
        return new Result(String.join("\n", lines), "append " + HostileValues.quoted(scalar));
      }
      default -> {
        // SnakeYAML scans one token in time that grows faster than its length (a comment of 1 MiB
        // takes most of a second by itself), so single tokens stay at a quarter of that here.
        String comment = "# " + "x".repeat(random.nextInt(10) == 0 ? 250_000 : 100);
        lines.add(line, comment);
        return new Result(
            String.join("\n", lines), "comment of " + comment.length() + " chars at " + line);
      }
    }
  }

  private static Result anchorAndAlias(List<String> lines, Random random) {
    List<Integer> values = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      int colon = line.indexOf(": ");
      if (colon > 0 && !line.strip().startsWith("#") && colon + 2 < line.length()) {
        values.add(i);
      }
    }
    if (values.size() < 2) {
      return new Result(String.join("\n", lines) + "\nx: *nowhere\n", "alias to nothing");
    }
    int first = values.get(random.nextInt(values.size()));
    int second = values.get(random.nextInt(values.size()));
    String anchored = lines.get(first);
    int colon = anchored.indexOf(": ");
    lines.set(first, anchored.substring(0, colon + 2) + "&fz " + anchored.substring(colon + 2));
    String aliased = lines.get(second);
    int aliasColon = aliased.indexOf(": ");
    String alias = random.nextInt(4) == 0 ? "*undefined" : "*fz";
    lines.set(second, aliased.substring(0, aliasColon + 2) + alias);
    return new Result(
        String.join("\n", lines),
        "anchor line " + (first + 1) + ", " + alias + " at line " + (second + 1));
  }

  /** The text turned into bytes that are not (all) UTF-8. */
  static Bytes toBytes(String text, Random random) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    switch (random.nextInt(4)) {
      case 0 -> {
        byte[][] invalid = {
          {(byte) 0xff},
          {(byte) 0xc0, (byte) 0xaf},
          {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
          {(byte) 0xe2, (byte) 0x82},
          {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
          {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80},
          {(byte) 0x80},
        };
        byte[] bad = invalid[random.nextInt(invalid.length)];
        int at = random.nextInt(utf8.length + 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(utf8, 0, at);
        out.writeBytes(bad);
        out.write(utf8, at, utf8.length - at);
        return new Bytes(out.toByteArray(), "invalid UTF-8 at byte " + at);
      }
      case 1 -> {
        return new Bytes(text.getBytes(StandardCharsets.UTF_16), "UTF-16 with a byte-order mark");
      }
      case 2 -> {
        return new Bytes(text.getBytes(StandardCharsets.UTF_16LE), "UTF-16LE");
      }
      default -> {
        return new Bytes(
            (text + "# café naïve").getBytes(StandardCharsets.ISO_8859_1), "ISO-8859-1");
      }
    }
  }
}
