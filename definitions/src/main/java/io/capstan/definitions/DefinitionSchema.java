package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The JSON Schema of Capstan definitions ({@code capstan-v1.schema.json}, shipped beside this class
 * for editors too) and the translation of its findings into messages a person can act on.
 *
 * <p>The schema says what is structurally allowed: fields, types, required fields, ranges, enums,
 * patterns, and one executor per task. The validator reports in schema terms ("does not match the
 * regex pattern ..."); this class rewrites each finding using the schema around it, for example the
 * allowed property names for a did-you-mean hint.
 */
final class DefinitionSchema {
  /** The schema's classpath resource, relative to this package. */
  static final String RESOURCE = "capstan-v1.schema.json";

  static final List<String> EXECUTORS = List.of("simulate", "shell", "container", "gpu");

  /** Kinds of the product that this server does not read yet: refused as such, not as typos. */
  private static final Set<String> FUTURE_KINDS =
      Set.of("ResourceQuota", "PriorityClass", "Template");

  private static final JsonNode DOCUMENT = load();
  private static final JsonSchema SCHEMA =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
          .getSchema(
              DOCUMENT, SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build());

  private DefinitionSchema() {}

  /** The schema document itself. */
  static JsonNode document() {
    return DOCUMENT;
  }

  /** Every structural problem of {@code source}, in human terms. */
  static List<Problem> check(SourceDocument source) {
    List<Problem> problems = new ArrayList<>();
    for (ValidationMessage finding : SCHEMA.validate(source.root())) {
      if (insideAlternative(finding.getEvaluationPath())) {
        // The branches of a oneOf fail by design; the oneOf finding itself is reported instead.
        continue;
      }
      Problem problem = translate(finding, source);
      if (problem != null) {
        problems.add(problem);
      }
    }
    hashKeys(source, source.root(), NodePath.ROOT, problems);
    return problems;
  }

  /**
   * Reports keys that start with '#', which the schema validator lets through {@code
   * additionalProperties: false} (found by the fuzzer: such a key then failed to bind). No field or
   * name of a definition starts with '#'; a key the schema already refused is not repeated.
   */
  private static void hashKeys(
      SourceDocument source, JsonNode node, NodePath path, List<Problem> problems) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        hashKeys(source, node.get(i), path.index(i), problems);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    var fields = node.fields();
    while (fields.hasNext()) {
      var field = fields.next();
      NodePath at = path.field(field.getKey());
      if (field.getKey().startsWith("#")) {
        String where = at.toString();
        if (problems.stream().noneMatch(p -> where.equals(p.path()))) {
          problems.add(
              source.keyProblem(at, "unknown field: no field of a definition starts with '#'"));
        }
        continue;
      }
      hashKeys(source, field.getValue(), at, problems);
    }
  }

  private static Problem translate(ValidationMessage finding, SourceDocument source) {
    NodePath path = path(finding.getInstanceLocation());
    JsonNode value = finding.getInstanceNode();
    JsonNodePath keyword = finding.getSchemaLocation().getFragment();
    JsonNode around = schemaAt(keyword, keyword.getNameCount() - 1);
    String definition = definitionName(keyword);
    return switch (finding.getType()) {
      case "additionalProperties" -> unknownField(source, path, finding.getProperty(), around);
      case "required" ->
          source.problem(path.field(finding.getProperty()), "required field is missing");
      case "type" -> source.problem(path, wrongType(value, finding.getSchemaNode(), definition));
      case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
          source.problem(path, outOfRange(value, around));
      case "enum" -> source.problem(path, notOneOf(path, value, finding.getSchemaNode()));
      case "const" ->
          source.problem(
              path, quoted(value) + " is not supported: use " + finding.getSchemaNode().asText());
      // A rollout's rules word a malformed count or percentage with its field's name.
      case "pattern" ->
          "CountOrPercentage".equals(definition)
              ? null
              : source.problem(path, mismatch(value, definition));
      case "propertyNames" ->
          source.keyProblem(
              path.field(finding.getProperty()),
              "Env".equals(definition)
                  ? notAnEnvName(finding.getProperty())
                  : "'"
                      + finding.getProperty()
                      + "' cannot be used as #{params.NAME}: use letters, digits, '-' and '_', at"
                      + " most 63 characters");
      case "minItems" -> source.problem(path, tooFew(path, finding.getSchemaNode().asInt()));
      case "maxItems" ->
          source.problem(path, tooMany(path, value, finding.getSchemaNode().asInt()));
      case "uniqueItems" -> source.problem(path, repeated(value));
      case "minLength" -> source.problem(path, "must not be empty");
      case "maxLength" ->
          source.problem(
              path,
              "is "
                  + value.asText().length()
                  + " characters long; at most "
                  + finding.getSchemaNode().asInt()
                  + " are allowed");
      case "oneOf" ->
          "EnvVar".equals(definition)
              ? source.problem(path, valueOrSecret(value))
              : executors(source, path, value, around);
      default -> source.problem(path, stripPath(finding.getMessage()));
    };
  }

  private static Problem unknownField(
      SourceDocument source, NodePath path, String field, JsonNode around) {
    List<String> allowed = propertyNames(around);
    String hint = Suggestions.didYouMean(field, allowed);
    if (hint.isEmpty() && !allowed.isEmpty()) {
      hint = "; the fields here are " + String.join(", ", allowed);
    }
    return source.keyProblem(path.field(field), "unknown field" + hint);
  }

  /**
   * A task or job needs exactly one executor. When none is present but an unknown field is a
   * misspelt executor, the unknown-field problem already says what to fix, so nothing is added.
   */
  private static Problem executors(
      SourceDocument source, NodePath path, JsonNode value, JsonNode around) {
    String what = path.toString().equals("spec") ? "a job" : "a task";
    List<String> present = EXECUTORS.stream().filter(value::has).toList();
    if (present.isEmpty()) {
      List<String> known = propertyNames(around);
      boolean misspeltExecutor = false;
      for (Iterator<String> names = value.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        misspeltExecutor |=
            !known.contains(name) && Suggestions.closest(name, EXECUTORS).isPresent();
      }
      return misspeltExecutor
          ? null
          : source.problem(
              path, what + " needs an executor: add one of simulate, shell, container or gpu");
    }
    return source.problem(
        path,
        what
            + " has "
            + present.size()
            + " executors ("
            + String.join(", ", present)
            + "); keep exactly one");
  }

  private static String wrongType(JsonNode value, JsonNode expected, String definition) {
    if ("Duration".equals(definition)) {
      return value.isNull()
          ? "expected a duration, got nothing: " + Durations.HINT
          : Durations.notADuration(value.asText());
    }
    if ("Env".equals(definition)) {
      return "expected a map of NAME: value or a list of {name, value} and {name, secretRef}, got "
          + describe(value);
    }
    if ("Schedule".equals(definition)) {
      return "expected a cron string such as \"0 3 * * *\" or a map with cron, got "
          + describe(value);
    }
    List<String> types = new ArrayList<>();
    if (expected.isArray()) {
      expected.forEach(t -> types.add(t.asText()));
    } else {
      types.add(expected.asText());
    }
    String wanted = types.contains("string") ? "a string" : describeType(types.get(0));
    String message = "expected " + wanted + ", got " + describe(value);
    if (types.contains("array") && value.isValueNode() && !value.isNull()) {
      message += "; write [" + value.asText() + "]";
    }
    return message;
  }

  private static String describeType(String type) {
    return switch (type) {
      case "integer" -> "an integer";
      case "number" -> "a number";
      case "boolean" -> "true or false";
      case "object" -> "a map of fields";
      case "array" -> "a list";
      default -> "a " + type;
    };
  }

  private static String describe(JsonNode value) {
    if (value.isTextual()) {
      return "the string " + quoted(value);
    }
    if (value.isNumber()) {
      return "the number " + value.asText();
    }
    if (value.isBoolean()) {
      return value.asText();
    }
    if (value.isArray()) {
      return "a list";
    }
    if (value.isObject()) {
      return "a map";
    }
    return "nothing (null)";
  }

  private static String outOfRange(JsonNode value, JsonNode around) {
    JsonNode min = around.get("minimum");
    JsonNode max = around.get("maximum");
    if (min != null && max != null) {
      return value.asText()
          + " is out of range: must be between "
          + min.asText()
          + " and "
          + max.asText();
    }
    List<String> bounds = new ArrayList<>();
    if (min != null) {
      bounds.add("at least " + min.asText());
    } else if (around.has("exclusiveMinimum")) {
      bounds.add("above " + around.get("exclusiveMinimum").asText());
    }
    if (max != null) {
      bounds.add("at most " + max.asText());
    } else if (around.has("exclusiveMaximum")) {
      bounds.add("below " + around.get("exclusiveMaximum").asText());
    }
    return value.asText() + " is out of range: must be " + String.join(" and ", bounds);
  }

  private static String notOneOf(NodePath path, JsonNode value, JsonNode allowedNode) {
    List<String> allowed = new ArrayList<>();
    allowedNode.forEach(a -> allowed.add(a.asText()));
    String written = value.asText();
    if (path.toString().equals("kind") && FUTURE_KINDS.contains(written)) {
      return "kind '"
          + written
          + "' is not supported yet: this server runs "
          + andList(allowed)
          + " documents";
    }
    String what = path.toString().equals("kind") ? " is not a supported kind" : " is not allowed";
    return quoted(value)
        + what
        + ": use "
        + orList(allowed)
        + Suggestions.didYouMean(written, allowed);
  }

  private static String mismatch(JsonNode value, String definition) {
    String written = value.asText();
    return switch (definition == null ? "" : definition) {
      case "Duration" -> Durations.notADuration(written);
      case "DnsLabel" ->
          "'"
              + written
              + "' is not a DNS label: use lowercase letters, digits and '-', starting and"
              + " ending with a letter or digit, at most 63 characters";
      case "TaskName" ->
          "'"
              + written
              + "' is not a valid task name: use letters, digits, '-' and '_', at most 63"
              + " characters";
      case "EnvName" -> notAnEnvName(written);
      case "AwsRegion" -> "'" + written + "' is not an AWS region: write it like us-west-2";
      case "PoolName" ->
          "'"
              + written
              + "' is not a valid pool name: use lowercase letters, digits and '-', starting and"
              + " ending with a letter or digit, at most 40 characters";
      case "InstanceType" ->
          "'"
              + written
              + "' is not an instance type: write the family, a dot and the size, like m5.large";
      case "LaunchTemplateVersion" ->
          "'"
              + written
              + "' is not a launch template version: use a version number such as 3, $Latest or"
              + " $Default";
      case "Price" ->
          "'"
              + written
              + "' is not a price: write a positive amount of US dollars per hour, such as"
              + " \"2.0\"";
      case "SecretRef" ->
          written.contains("#{")
              ? "a secretRef is the name of a secret and cannot use #{...} references: write"
                  + " the secret's name, e.g. db-url"
              : "'"
                  + written
                  + "' is not a valid secret name: use a DNS label (lowercase letters, digits"
                  + " and '-', starting and ending with a letter or digit, at most 63"
                  + " characters)";
      default -> "'" + written + "' does not have the expected form";
    };
  }

  private static String notAnEnvName(String written) {
    return "'"
        + written
        + "' is not a valid environment variable name: use letters, digits and '_', not"
        + " starting with a digit";
  }

  /** An env list entry needs a value or a secretRef, and only one. */
  private static String valueOrSecret(JsonNode entry) {
    return entry.has("value") && entry.has("secretRef")
        ? "has both value and secretRef; keep one (a literal value, or the name of a secret)"
        : "needs a value or a secretRef (the name of a secret the worker resolves)";
  }

  private static String tooFew(NodePath path, int min) {
    if (path.toString().endsWith("tasks")) {
      return "a pipeline needs at least one task";
    }
    if (path.toString().endsWith("nodePools")) {
      return "a cluster needs at least one node pool";
    }
    return min == 1 ? "must not be empty" : "needs at least " + min + " items";
  }

  private static String tooMany(NodePath path, JsonNode value, int max) {
    String items =
        path.toString().endsWith("tasks")
            ? " tasks"
            : path.toString().endsWith("nodePools") ? " node pools" : " items";
    return "has " + value.size() + items + "; at most " + max + " are allowed";
  }

  private static String repeated(JsonNode value) {
    List<JsonNode> seen = new ArrayList<>();
    for (JsonNode item : value) {
      if (seen.contains(item)) {
        return "lists " + quoted(item) + " more than once";
      }
      seen.add(item);
    }
    return "must not list an item twice";
  }

  private static String quoted(JsonNode value) {
    String text = value.asText();
    if (text.length() > 60) {
      text = text.substring(0, 57) + "...";
    }
    return "'" + text + "'";
  }

  private static String andList(List<String> words) {
    return words.size() <= 1
        ? String.join("", words)
        : String.join(", ", words.subList(0, words.size() - 1))
            + " and "
            + words.get(words.size() - 1);
  }

  private static String orList(List<String> words) {
    if (words.size() <= 1) {
      return String.join("", words);
    }
    return String.join(", ", words.subList(0, words.size() - 1))
        + " or "
        + words.get(words.size() - 1);
  }

  private static String stripPath(String message) {
    int colon = message.indexOf(": ");
    return colon >= 0 ? message.substring(colon + 2) : message;
  }

  private static List<String> propertyNames(JsonNode schema) {
    JsonNode properties = schema.get("properties");
    if (properties == null) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    properties.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static boolean insideAlternative(JsonNodePath evaluationPath) {
    for (int i = 0; i < evaluationPath.getNameCount() - 1; i++) {
      if ("oneOf".equals(evaluationPath.getName(i))) {
        return true;
      }
    }
    return false;
  }

  private static NodePath path(JsonNodePath location) {
    NodePath path = NodePath.ROOT;
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      path = element instanceof Integer index ? path.index(index) : path.field(element.toString());
    }
    return path;
  }

  /** The schema node reached by the first {@code count} names of {@code fragment}. */
  private static JsonNode schemaAt(JsonNodePath fragment, int count) {
    JsonNode node = DOCUMENT;
    for (int i = 0; i < count && node != null; i++) {
      Object element = fragment.getElement(i);
      node = element instanceof Integer index ? node.get(index) : node.get(element.toString());
    }
    return node == null ? MissingNode.getInstance() : node;
  }

  /** {@code Duration} for a keyword under {@code $defs/Duration}; null outside any definition. */
  private static String definitionName(JsonNodePath fragment) {
    return fragment.getNameCount() > 1 && "$defs".equals(fragment.getName(0))
        ? fragment.getName(1)
        : null;
  }

  private static JsonNode load() {
    try (InputStream in = DefinitionSchema.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
