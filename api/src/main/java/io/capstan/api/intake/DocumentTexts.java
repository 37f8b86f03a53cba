package io.capstan.api.intake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.capstan.definitions.Definition;
import io.capstan.definitions.DefinitionParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The YAML text of each document of a submission, kept in its run's memo so that the Web UI shows
 * what was submitted. A YAML stream is cut at its document markers, which YAML allows nowhere but
 * between documents, so each document keeps its comments and layout; a piece is used only if it
 * reads back as the very definition it stands for. Otherwise (a JSON or flow-style body,
 * directives, an empty {@code ~} document) each document is written anew as block YAML.
 */
final class DocumentTexts {
  private static final Pattern START = Pattern.compile("---(?=[ \\t]|$)");
  private static final Pattern END = Pattern.compile("\\.\\.\\.(?=[ \\t]|$)");
  private static final Pattern BARE_START = Pattern.compile("---[ \\t]*(#.*)?");
  private static final ObjectMapper YAML =
      new ObjectMapper(
              YAMLFactory.builder()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                  .build())
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

  private DocumentTexts() {}

  /**
   * One YAML text per definition, in order.
   *
   * @param text the body as the parser read it
   * @param json whether the body was sent as JSON
   * @param definitions what the parser made of {@code text}
   * @param extraParams the submit-time params the definitions were validated with
   */
  static List<String> of(
      String text, boolean json, List<Definition> definitions, Set<String> extraParams) {
    String start = text.stripLeading();
    // A flow-style document (JSON above all) reads better written anew as block YAML.
    boolean flow = json || start.startsWith("{") || start.startsWith("[");
    if (!flow) {
      Optional<List<String>> pieces = pieces(text, definitions, extraParams);
      if (pieces.isPresent()) {
        return pieces.get();
      }
    }
    return rewritten(text, definitions);
  }

  private static Optional<List<String>> pieces(
      String text, List<Definition> definitions, Set<String> extraParams) {
    List<String> documents = split(text);
    if (documents.size() != definitions.size()) {
      return Optional.empty();
    }
    for (int i = 0; i < documents.size(); i++) {
      if (!readsAs(documents.get(i), definitions.get(i), extraParams)) {
        return Optional.empty();
      }
    }
    return Optional.of(documents);
  }

  /** The non-empty documents of a YAML stream, cut at its {@code ---} and {@code ...} lines. */
  static List<String> split(String text) {
    List<String> documents = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : text.split("(?<=\n)")) {
      String bare = line.stripTrailing();
      if (START.matcher(line).lookingAt()) {
        add(documents, current);
        current = new StringBuilder();
        if (!BARE_START.matcher(bare).matches()) {
          // "--- {kind: Job, ...}": the marker carries the document itself.
          current.append(line);
        }
      } else if (END.matcher(line).lookingAt()) {
        add(documents, current);
        current = new StringBuilder();
      } else {
        current.append(line);
      }
    }
    add(documents, current);
    return documents;
  }

  private static void add(List<String> documents, StringBuilder document) {
    String text = document.toString().stripTrailing();
    boolean content =
        text.lines()
            .map(String::strip)
            .anyMatch(line -> !line.isEmpty() && !line.startsWith("#") && !line.startsWith("%"));
    if (content) {
      documents.add(text + "\n");
    }
  }

  private static boolean readsAs(String document, Definition expected, Set<String> extraParams) {
    try {
      List<Definition> read = DefinitionParser.parse(document, extraParams);
      return read.size() == 1 && read.get(0).equals(expected);
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  /** Each document written anew from its tree, or from the definition as a last resort. */
  private static List<String> rewritten(String text, List<Definition> definitions) {
    List<JsonNode> trees = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(text)) {
      while (documents.hasNextValue()) {
        JsonNode tree = documents.nextValue();
        if (tree != null && !tree.isNull() && !tree.isMissingNode()) {
          trees.add(tree);
        }
      }
    } catch (IOException | RuntimeException unreadable) {
      trees.clear();
    }
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < definitions.size(); i++) {
      Object source = trees.size() == definitions.size() ? trees.get(i) : definitions.get(i);
      texts.add(write(source));
    }
    return texts;
  }

  private static String write(Object source) {
    try {
      return YAML.writeValueAsString(source);
    } catch (IOException e) {
      throw new IllegalStateException("a validated definition is always writable as YAML", e);
    }
  }
}
