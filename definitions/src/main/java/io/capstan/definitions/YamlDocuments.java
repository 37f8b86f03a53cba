package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads a YAML (or JSON) stream into {@link SourceDocument}s, refusing hostile input early.
 *
 * <p>SnakeYAML composes each document into a node tree that keeps the position of every node; that
 * tree is then copied into a Jackson tree. The limits bound both steps: the whole input, the
 * aliases to lists and maps per document (the billion-laughs attack expands a few aliases into
 * billions of values), the nesting depth, and the number of values a document may expand to, so a
 * crafted document is refused in milliseconds instead of exhausting memory.
 *
 * <p>Plain scalars are typed by the YAML 1.2 core schema, as JSON would type them: {@code yes} and
 * {@code on} stay strings, {@code 010} is the number 10.
 */
final class YamlDocuments {
  /** 16 MiB: a pipeline of 100,000 tasks, each a line or two, with room to spare. */
  static final int MAX_CHARS = 16 << 20;

  /**
   * The longest line: SnakeYAML scans one token in time that grows faster than its length (a
   * comment of 1 MiB takes most of a second), so no token may come near the document limit.
   */
  static final int MAX_LINE = 512 * 1024;

  static final int MAX_COLLECTION_ALIASES = 20;
  static final int MAX_DEPTH = 50;
  static final int MAX_VALUES = 2_000_000;

  /**
   * How many values aliases may add to a document: 50 per character of the whole text, and 100,000
   * whatever its size. A few kilobytes of aliases must not cost seconds to validate, while a large
   * pipeline that merges a shared block into each of its tasks ({@code <<: *defaults}) stays well
   * within it.
   */
  static final int ALIASED_VALUES_PER_CHAR = 50;

  static final int MIN_ALIASED_VALUES = 100_000;
  static final int MAX_TEXT = 65_536;
  static final int MAX_DOCUMENTS = 100;

  static final String LIMIT = "the definition exceeds a safety limit";
  static final String SYNTAX = "the definition is not valid YAML";

  private static final Pattern NULL = Pattern.compile("~|null|Null|NULL|");
  private static final Pattern TRUE = Pattern.compile("true|True|TRUE");
  private static final Pattern FALSE = Pattern.compile("false|False|FALSE");
  private static final Pattern DECIMAL = Pattern.compile("[-+]?[0-9]{1,100}");
  private static final Pattern OCTAL = Pattern.compile("0o[0-7]{1,30}");
  private static final Pattern HEX = Pattern.compile("0x[0-9a-fA-F]{1,30}");
  private static final Pattern FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");

  private YamlDocuments() {}

  /** The SnakeYAML limits, shared with the Jackson YAML factory of {@link DefinitionParser}. */
  static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_CHARS);
    options.setAllowDuplicateKeys(false);
    options.setAllowRecursiveKeys(false);
    options.setMergeOnCompose(true);
    return options;
  }

  /**
   * The non-empty documents of {@code text}.
   *
   * @throws DefinitionException when the text is not YAML, is empty, or breaks a limit
   */
  static List<SourceDocument> read(String text) {
    if (text.length() > MAX_CHARS) {
      throw refused(
          1,
          1,
          "the definition is "
              + text.length()
              + " characters long; at most "
              + MAX_CHARS
              + " are accepted");
    }
    int lineStart = 0;
    int line = 1;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - lineStart > MAX_LINE) {
          throw refused(
              line,
              1,
              "line "
                  + line
                  + " is "
                  + (i - lineStart)
                  + " characters long; at most "
                  + MAX_LINE
                  + " are accepted (split long text over several lines, or keep it in a file the"
                  + " task reads)");
        }
        lineStart = i + 1;
        line++;
      }
    }
    LoaderOptions options = loaderOptions();
    TrackingParser parser = new TrackingParser(new StreamReader(asYaml(text)), options);
    Composer composer = new Composer(parser, new CoreScalars(), options);
    List<SourceDocument> documents = new ArrayList<>();
    long expanded = 0;
    try {
      while (composer.checkNode()) {
        Node node = composer.getNode();
        if (isEmpty(node)) {
          continue;
        }
        if (documents.size() == MAX_DOCUMENTS) {
          throw refused(
              node.getStartMark(),
              "the stream holds more than " + MAX_DOCUMENTS + " documents; send fewer at once");
        }
        long[] size =
            new Expansion(
                    Math.max(MIN_ALIASED_VALUES, (long) ALIASED_VALUES_PER_CHAR * text.length()))
                .of(node);
        if (size[1] > MAX_DEPTH) {
          throw refused(
              node.getStartMark(), "the document nests deeper than " + MAX_DEPTH + " levels");
        }
        expanded += size[0];
        if (expanded > MAX_VALUES) {
          throw refused(
              node.getStartMark(),
              "the document expands to more than "
                  + MAX_VALUES
                  + " values; split it or use fewer aliases");
        }
        documents.add(new Copier().copy(node));
      }
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark() != null ? e.getProblemMark() : parser.lastMark;
      throw new DefinitionException(SYNTAX, List.of(at(mark, syntaxMessage(e))));
    } catch (YAMLException e) {
      throw limitOrSyntax(e, parser.lastMark);
    }
    if (documents.isEmpty()) {
      throw new DefinitionException(
          "the definition is empty",
          List.of(
              new Problem(
                  "", 1, 1, "expected a document with apiVersion, kind, metadata and spec")));
    }
    return documents;
  }

  /**
   * JSON is YAML, except that YAML refuses tabs where JSON allows them as blanks. JSON strings
   * cannot hold a raw tab, so in a JSON document every tab is a blank and may become a space
   * without moving any column.
   */
  private static String asYaml(String text) {
    String start = text.stripLeading();
    boolean json = start.startsWith("{") || start.startsWith("[");
    return json ? text.replace('\t', ' ') : text;
  }

  private static boolean isEmpty(Node node) {
    return node instanceof ScalarNode scalar
        && scalar.getTag() == CoreScalars.PLAIN
        && NULL.matcher(scalar.getValue()).matches();
  }

  private static String syntaxMessage(MarkedYAMLException e) {
    String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
    String context = e.getContext();
    return "not valid YAML: "
        + problem.strip()
        + (context == null || context.isBlank() ? "" : " (" + context.strip() + ")");
  }

  private static DefinitionException limitOrSyntax(YAMLException e, Mark mark) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("aliases for non-scalar nodes")) {
      return refused(
          mark,
          "the document uses more than "
              + MAX_COLLECTION_ALIASES
              + " aliases to lists or maps; aliases are limited so that a small document cannot"
              + " expand into a huge one");
    }
    if (message.contains("Nesting Depth")) {
      return refused(mark, "the document nests deeper than " + MAX_DEPTH + " levels");
    }
    if (message.contains("code points")) {
      return refused(mark, "a document is longer than " + MAX_CHARS + " characters");
    }
    return new DefinitionException(SYNTAX, List.of(at(mark, "not valid YAML: " + message)));
  }

  private static DefinitionException refused(Mark mark, String message) {
    return new DefinitionException(LIMIT, List.of(at(mark, message)));
  }

  private static DefinitionException refused(int line, int column, String message) {
    return new DefinitionException(LIMIT, List.of(new Problem("", line, column, message)));
  }

  private static Problem at(Mark mark, String message) {
    return mark == null
        ? new Problem("", 1, 1, message)
        : new Problem("", mark.getLine() + 1, mark.getColumn() + 1, message);
  }

  /**
   * Remembers where the last event started, for the SnakeYAML errors that carry no mark, and stops
   * a stream that holds too many values before SnakeYAML has composed all of them.
   */
  private static final class TrackingParser extends ParserImpl {
    private Mark lastMark;
    private int values;

    TrackingParser(StreamReader reader, LoaderOptions options) {
      super(reader, options);
    }

    @Override
    public Event getEvent() {
      Event event = super.getEvent();
      if (event != null) {
        lastMark = event.getStartMark();
        boolean value =
            event.is(Event.ID.Scalar)
                || event.is(Event.ID.SequenceStart)
                || event.is(Event.ID.MappingStart)
                || event.is(Event.ID.Alias);
        if (value && ++values > MAX_VALUES) {
          throw refused(
              lastMark,
              "the definition holds more than "
                  + MAX_VALUES
                  + " values; split it into smaller ones");
        }
      }
      return event;
    }
  }

  /**
   * The size and depth a composed document will have once its aliases are expanded, computed once
   * per shared node, so an exponential expansion is measured in time linear in the text and refused
   * before any of it is built.
   */
  private static final class Expansion {
    private static final long[] SCALAR = {1, 0};

    private final Map<Node, long[]> measured = new IdentityHashMap<>();
    private final Set<Node> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final long aliasLimit;
    private long aliased;

    Expansion(long aliasLimit) {
      this.aliasLimit = aliasLimit;
    }

    /** {values, depth} of {@code node} when expanded. */
    long[] of(Node node) {
      if (node instanceof ScalarNode) {
        return SCALAR;
      }
      long[] known = measured.get(node);
      if (known != null) {
        // Met again: an alias, which copies the whole node.
        aliased = Math.min(aliased + known[0], Long.MAX_VALUE / 4);
        if (aliased > aliasLimit) {
          throw refused(
              node.getStartMark(),
              "aliases expand the document by more than "
                  + aliasLimit
                  + " values ("
                  + ALIASED_VALUES_PER_CHAR
                  + " per character of the text, at least "
                  + MIN_ALIASED_VALUES
                  + "); write the repeated parts out or use fewer aliases");
        }
        return known;
      }
      if (!open.add(node)) {
        throw refused(node.getStartMark(), "an alias refers to a list or map that contains it");
      }
      List<Node> children = new ArrayList<>();
      if (node instanceof SequenceNode sequence) {
        children.addAll(sequence.getValue());
      } else if (node instanceof MappingNode mapping) {
        for (NodeTuple tuple : mapping.getValue()) {
          children.add(tuple.getKeyNode());
          children.add(tuple.getValueNode());
        }
      }
      long values = 1;
      long depth = 0;
      for (Node child : children) {
        long[] size = of(child);
        values = Math.min(values + size[0], Long.MAX_VALUE / 4);
        depth = Math.max(depth, size[1] + 1);
      }
      open.remove(node);
      long[] size = {values, depth};
      measured.put(node, size);
      return size;
    }
  }

  /**
   * Leaves plain scalars untyped, so that {@link Copier} types them by the YAML 1.2 core schema
   * rather than SnakeYAML's YAML 1.1 rules; explicit tags ({@code !!str 10}) and merge keys keep
   * their meaning.
   */
  private static final class CoreScalars extends Resolver {
    static final Tag PLAIN = new Tag("tag:capstan.io,2025:plain");

    @Override
    public Tag resolve(NodeId kind, String value, boolean implicit) {
      if (kind == NodeId.scalar && implicit && !"<<".equals(value)) {
        return PLAIN;
      }
      return super.resolve(kind, value, implicit);
    }
  }

  /**
   * Copies one composed document, already measured by {@link Expansion}, into a Jackson tree,
   * recording positions as it goes.
   */
  private static final class Copier {
    private final SourceDocument document = new SourceDocument();

    SourceDocument copy(Node root) {
      document.root(copy(root, NodePath.ROOT));
      return document;
    }

    private JsonNode copy(Node node, NodePath path) {
      Mark start = node.getStartMark();
      document.valueAt(path, start.getLine() + 1, start.getColumn() + 1);
      if (node instanceof ScalarNode scalar) {
        return scalar(scalar, path);
      }
      return node instanceof SequenceNode sequence
          ? sequence(sequence, path)
          : mapping((MappingNode) node, path);
    }

    private ArrayNode sequence(SequenceNode sequence, NodePath path) {
      ArrayNode array = JsonNodeFactory.instance.arrayNode();
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        array.add(copy(items.get(i), path.index(i)));
      }
      return array;
    }

    private ObjectNode mapping(MappingNode mapping, NodePath path) {
      ObjectNode object = JsonNodeFactory.instance.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        Node keyNode = tuple.getKeyNode();
        Mark keyMark = keyNode.getStartMark();
        if (!(keyNode instanceof ScalarNode key)) {
          document.report(
              new Problem(
                  path.toString(),
                  keyMark.getLine() + 1,
                  keyMark.getColumn() + 1,
                  "keys must be plain text, not lists or maps"));
          continue;
        }
        NodePath child = path.field(key.getValue());
        if (object.has(key.getValue())) {
          document.report(
              new Problem(
                  child.toString(),
                  keyMark.getLine() + 1,
                  keyMark.getColumn() + 1,
                  "duplicate key '"
                      + key.getValue()
                      + "': it is already set at line "
                      + document.lineOf(child)));
          continue;
        }
        document.keyAt(child, keyMark.getLine() + 1, keyMark.getColumn() + 1);
        object.set(key.getValue(), copy(tuple.getValueNode(), child));
      }
      return object;
    }

    private JsonNode scalar(ScalarNode scalar, NodePath path) {
      String text = scalar.getValue();
      if (text.length() > MAX_TEXT) {
        document.report(
            document.problem(
                path,
                "this text is "
                    + text.length()
                    + " characters long; at most "
                    + MAX_TEXT
                    + " are allowed"));
        return JsonNodeFactory.instance.textNode("");
      }
      Tag tag = scalar.getTag();
      boolean typed =
          tag == CoreScalars.PLAIN
              || tag.equals(Tag.INT)
              || tag.equals(Tag.FLOAT)
              || tag.equals(Tag.BOOL)
              || tag.equals(Tag.NULL);
      JsonNode value = typed ? typed(text) : JsonNodeFactory.instance.textNode(text);
      if (value.isNumber() || value.isBoolean()) {
        document.written(value, text);
      }
      return value;
    }

    private static JsonNode typed(String text) {
      JsonNodeFactory nodes = JsonNodeFactory.instance;
      if (!text.isEmpty() && "~nNtTfF0123456789+-.".indexOf(text.charAt(0)) < 0) {
        return nodes.textNode(text);
      }
      if (NULL.matcher(text).matches()) {
        return nodes.nullNode();
      }
      if (TRUE.matcher(text).matches()) {
        return nodes.booleanNode(true);
      }
      if (FALSE.matcher(text).matches()) {
        return nodes.booleanNode(false);
      }
      if (DECIMAL.matcher(text).matches()) {
        return integer(new BigInteger(text.startsWith("+") ? text.substring(1) : text));
      }
      if (OCTAL.matcher(text).matches()) {
        return integer(new BigInteger(text.substring(2), 8));
      }
      if (HEX.matcher(text).matches()) {
        return integer(new BigInteger(text.substring(2), 16));
      }
      if (text.length() <= 100 && FLOAT.matcher(text).matches()) {
        double value = Double.parseDouble(text);
        if (Double.isFinite(value)) {
          return nodes.numberNode(value);
        }
      }
      return nodes.textNode(text);
    }

    private static JsonNode integer(BigInteger value) {
      JsonNodeFactory nodes = JsonNodeFactory.instance;
      if (value.bitLength() < 32) {
        return nodes.numberNode(value.intValue());
      }
      if (value.bitLength() < 64) {
        return nodes.numberNode(value.longValue());
      }
      return nodes.numberNode(value);
    }
  }
}
