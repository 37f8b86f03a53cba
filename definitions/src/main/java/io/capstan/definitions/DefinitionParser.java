package io.capstan.definitions;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Turns definition text (YAML or JSON, one document or several) into validated {@link Definition}
 * records, or refuses it with every problem at once.
 *
 * <p>Reading happens in three steps on one tree: the YAML is composed under safety limits, keeping
 * the line and column of every value; the tree is checked against the JSON Schema and then against
 * the rules a schema cannot express (task graph, references, durations); only a document without
 * problems is bound to records. Problems therefore come in one pass, in the order they appear in
 * the input.
 */
public final class DefinitionParser {
  /** Starts the message of a value that passed validation yet does not fit the records. */
  static final String UNREADABLE = "cannot be read: ";

  private static final ObjectMapper MAPPER = mapper();

  private DefinitionParser() {}

  /** The definitions in {@code text}; see {@link #parse(String, Set)}. */
  public static List<Definition> parse(String text) {
    return parse(text, Set.of());
  }

  /**
   * The definitions in {@code text}, in order.
   *
   * @param extraParams names of params supplied at submit time, which {@code #{params.NAME}} may
   *     use besides those declared in {@code spec.params}
   * @throws DefinitionException listing every problem, each with its path, line and column
   */
  public static List<Definition> parse(String text, Set<String> extraParams) {
    Objects.requireNonNull(text, "text");
    Set<String> extra = extraParams == null ? Set.of() : extraParams;
    String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
    List<SourceDocument> documents = YamlDocuments.read(body);
    boolean several = documents.size() > 1;
    List<Problem> problems = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      String prefix = several ? "documents[" + i + "]" : "";
      for (Problem problem : check(documents.get(i), extra)) {
        problems.add(prefixed(prefix, problem));
      }
    }
    if (!problems.isEmpty()) {
      throw new DefinitionException(summary(problems.size()), problems);
    }
    List<Definition> definitions = new ArrayList<>();
    for (int i = 0; i < documents.size(); i++) {
      definitions.add(bind(documents.get(i), several ? "documents[" + i + "]" : ""));
    }
    return List.copyOf(definitions);
  }

  /** The definitions in a UTF-8 {@code body}; see {@link #parse(String, Set)}. */
  public static List<Definition> parse(byte[] body) {
    return parse(body, Set.of());
  }

  /** The definitions in a UTF-8 {@code body}; see {@link #parse(String, Set)}. */
  public static List<Definition> parse(byte[] body, Set<String> extraParams) {
    Objects.requireNonNull(body, "body");
    // A UTF-8 character takes at most four bytes: anything longer cannot be under the limit.
    if (body.length > 4L * YamlDocuments.MAX_CHARS) {
      throw new DefinitionException(
          YamlDocuments.LIMIT,
          List.of(
              new Problem(
                  "",
                  1,
                  1,
                  "the definition is "
                      + body.length
                      + " bytes long; at most "
                      + YamlDocuments.MAX_CHARS
                      + " characters are accepted")));
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body))
              .toString();
    } catch (CharacterCodingException e) {
      throw new DefinitionException(
          "the definition is not UTF-8 text",
          List.of(new Problem("", 1, 1, "send the definition as UTF-8 text")));
    }
    return parse(text, extraParams);
  }

  /**
   * Every problem of one document, each once (the schema may report a wrong type twice when two of
   * its branches check the same value), in the order they appear in the text.
   */
  private static List<Problem> check(SourceDocument document, Set<String> extraParams) {
    TextFields.keepWrittenText(document);
    List<Problem> found = new ArrayList<>(document.readingProblems());
    found.addAll(DefinitionSchema.check(document));
    found.addAll(DefinitionRules.check(document, extraParams));
    Set<String> seen = new HashSet<>();
    List<Problem> problems = new ArrayList<>();
    for (Problem problem : found) {
      if (seen.add(problem.path() + "\n" + problem.message())) {
        problems.add(problem);
      }
    }
    problems.sort(
        Comparator.comparingInt(Problem::line)
            .thenComparingInt(Problem::column)
            .thenComparing(Problem::path));
    return problems;
  }

  private static Definition bind(SourceDocument document, String prefix) {
    JsonNode root = document.root();
    try {
      return MAPPER.treeToValue(root, TextFields.typeOf(root));
    } catch (JsonMappingException e) {
      // Validation accepts only what binds; reaching this is a schema gap, reported, not thrown.
      NodePath path = NodePath.ROOT;
      for (JsonMappingException.Reference reference : e.getPath()) {
        path =
            reference.getFieldName() != null
                ? path.field(reference.getFieldName())
                : path.index(reference.getIndex());
      }
      Problem problem =
          prefixed(prefix, document.problem(path, UNREADABLE + e.getOriginalMessage()));
      throw new DefinitionException(summary(1), List.of(problem));
    } catch (IOException e) {
      throw new IllegalStateException("binding a tree cannot do I/O", e);
    }
  }

  private static Problem prefixed(String prefix, Problem problem) {
    if (prefix.isEmpty()) {
      return problem;
    }
    String path = problem.path();
    String joined =
        path.isEmpty() ? prefix : path.startsWith("[") ? prefix + path : prefix + "." + path;
    return new Problem(joined, problem.line(), problem.column(), problem.message());
  }

  private static String summary(int count) {
    return "the definition has " + count + (count == 1 ? " problem" : " problems");
  }

  /**
   * The mapper that binds validated trees to records. It is private to the parser: durations are
   * read in Capstan's notation here only, so Temporal's own Jackson mapper keeps serialising {@link
   * Duration} its default way. Its YAML factory carries the same limits as {@link YamlDocuments},
   * so no path through it reads hostile YAML unguarded.
   */
  private static ObjectMapper mapper() {
    YAMLFactory factory =
        YAMLFactory.builder()
            .loaderOptions(YamlDocuments.loaderOptions())
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(YamlDocuments.MAX_DEPTH)
                    .maxDocumentLength(YamlDocuments.MAX_CHARS)
                    .maxStringLength(YamlDocuments.MAX_TEXT)
                    .maxNumberLength(100)
                    .build())
            .build();
    return YAMLMapper.builder(factory)
        .addModule(
            new SimpleModule("capstan-durations")
                .addDeserializer(Duration.class, new DurationReader()))
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .build();
  }

  /** Reads {@code 10s}, {@code 5m}, {@code PT5M} and the other forms of {@link Durations}. */
  private static final class DurationReader extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser parser, DeserializationContext context)
        throws IOException {
      String text = parser.getValueAsString();
      try {
        return Durations.parse(text);
      } catch (IllegalArgumentException e) {
        return (Duration) context.handleWeirdStringValue(Duration.class, text, e.getMessage());
      }
    }
  }
}
