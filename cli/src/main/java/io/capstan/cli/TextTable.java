package io.capstan.cli;

import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns, each as wide as its widest cell, two blanks apart. */
final class TextTable {
  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  TextTable(String... headers) {
    this.headers = List.of(headers);
  }

  TextTable row(String... cells) {
    List<String> row = new ArrayList<>();
    for (String cell : cells) {
      row.add(cell == null ? "" : cell);
    }
    rows.add(row);
    return this;
  }

  List<String> lines() {
    int[] widths = new int[headers.size()];
    for (int c = 0; c < widths.length; c++) {
      widths[c] = headers.get(c).length();
      for (List<String> row : rows) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    List<String> lines = new ArrayList<>();
    lines.add(format(headers, widths));
    rows.forEach(row -> lines.add(format(row, widths)));
    return lines;
  }

  private static String format(List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int c = 0; c < widths.length; c++) {
      line.append(RunText.pad(cells.get(c), widths[c] + (c == widths.length - 1 ? 0 : 2)));
    }
    return line.toString().stripTrailing();
  }
}
