package io.capstan.definitions.fuzz;

import java.nio.charset.StandardCharsets;

/**
 * One generated input. Most are text; some are raw bytes (invalid UTF-8, UTF-16) and a few are Java
 * strings that no byte sequence encodes (a lone surrogate), which only the {@code String} entry
 * point of the parser can receive.
 *
 * @param index its position in the run, with the seed all it takes to generate it again
 * @param label how it was made, e.g. {@code mutate hello-pipeline.yaml: /spec/parallelism = 2^63}
 * @param text the input as text, or null for a byte input
 * @param bytes the input as bytes, or null for a text input
 * @param json whether it is meant to be sent as JSON
 */
public record FuzzCase(int index, String label, String text, byte[] bytes, boolean json) {
  static FuzzCase ofText(int index, String label, String text, boolean json) {
    return new FuzzCase(index, label, text, null, json);
  }

  static FuzzCase ofBytes(int index, String label, byte[] bytes) {
    return new FuzzCase(index, label, null, bytes, false);
  }

  public boolean isText() {
    return text != null;
  }

  /** The bytes a client would send: the text as UTF-8 (a lone surrogate becomes '?'). */
  public byte[] body() {
    return isText() ? text.getBytes(StandardCharsets.UTF_8) : bytes;
  }

  public int length() {
    return isText() ? text.length() : bytes.length;
  }

  @Override
  public String toString() {
    return "case "
        + index
        + " ("
        + label
        + ", "
        + length()
        + (isText() ? " chars" : " bytes")
        + ")";
  }
}
