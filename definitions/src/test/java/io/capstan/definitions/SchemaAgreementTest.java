package io.capstan.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The JSON Schema, the records and the parser describe the same definitions")
class SchemaAgreementTest {
  private static final JsonNode SCHEMA = DefinitionSchema.document();
  private static final JsonSchema RAW_SCHEMA =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(SCHEMA);
  private static final YAMLMapper YAML = new YAMLMapper();

  @Test
  void theSchemaIdentifiesItselfForEditors() {
    assertThat(SCHEMA.path("$schema").asText())
        .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(SCHEMA.path("$id").asText()).endsWith("/capstan-v1.schema.json");
    assertThat(SCHEMA.path("title").asText()).isNotBlank();
    assertThat(SCHEMA.path("description").asText()).isNotBlank();
    assertThat(DefinitionSchema.class.getResource("/io/capstan/definitions/capstan-v1.schema.json"))
        .isNotNull();
  }

  @Test
  void everyRecordFieldIsInTheSchemaWithAMatchingTypeAndNothingElseIs() {
    List<String> mismatches = new ArrayList<>();
    compare(PipelineDefinition.class, SCHEMA, "PipelineDefinition", "PipelineSpec", mismatches);
    compare(JobDefinition.class, SCHEMA, "JobDefinition", "JobSpec", mismatches);
    compare(ClusterDefinition.class, SCHEMA, "ClusterDefinition", "ClusterSpec", mismatches);
    compare(
        RollingUpdateDefinition.class,
        SCHEMA,
        "RollingUpdateDefinition",
        "RollingUpdateSpec",
        mismatches);

    assertThat(mismatches).isEmpty();
  }

  @Test
  void theSchemaAndTheParserAcceptTheSameDurations() {
    assertThat(SCHEMA.at("/$defs/Duration/pattern").asText()).isEqualTo(Durations.PATTERN);
  }

  static Stream<Path> examples() {
    return Examples.all().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExamplePassesTheSchemaOnItsOwn(Path file) throws Exception {
    for (JsonNode document :
        YAML.readValues(YAML.createParser(Examples.read(file)), JsonNode.class).readAll()) {
      assertThat(RAW_SCHEMA.validate(document)).isEmpty();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spec: {tasks: [{name: a, simulate: {}, extra: 1}]}",
        "spec: {tasks: [{simulate: {}}]}",
        "spec: {parallelism: 0, tasks: [{name: a, simulate: {}}]}",
        "spec: {timeout: 5 minutes, tasks: [{name: a, simulate: {}}]}",
        "spec: {tasks: [{name: a, simulate: {}, shell: {command: [x]}}]}",
        "spec: {tasks: [{name: a}]}",
        "spec: {onFailure: sometimes, tasks: [{name: a, simulate: {}}]}",
        "spec: {tasks: []}",
        "spec: {tasks: [{name: a, gpu: {op: gemm, devices: 17}}]}",
        "spec: {tasks: [{name: a, shell: {command: [x], env: [{name: A}]}}]}",
        "spec: {tasks: [{name: a, shell: {command: [x], env: [{name: A, value: v, secretRef:"
            + " s}]}}]}",
        "spec: {tasks: [{name: a, shell: {command: [x], env: [{name: A, secretRef:"
            + " \"#{params.p}\"}]}}]}",
        "spec: {tasks: [{name: a, shell: {command: [x], env: {\"1A\": v}}}]}",
        "spec: {tasks: [{name: a, container: {image: i, env: [{name: \"A-B\", value: v}]}}]}",
        "spec: {tasks: [{name: a, container: {image: i, env: A=b}}]}",
      })
  void whatTheParserRefusesForItsShapeTheSchemaRefusesToo(String spec) throws Exception {
    String yaml = "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: p}\n" + spec + "\n";

    assertThat(Rejections.of(yaml).problems()).isNotEmpty();
    assertThat(RAW_SCHEMA.validate(YAML.readTree(yaml))).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spec: {simulate: {}, schedule: 5}",
        "spec: {simulate: {}, schedule: \"\"}",
        "spec: {simulate: {}, schedule: {overlap: skip}}",
        "spec: {simulate: {}, schedule: {cron: \"@daily\", overlap: sometimes}}",
        "spec: {simulate: {}, schedule: {cron: \"@daily\", paused: maybe}}",
        "spec: {simulate: {}, schedule: {cron: \"@daily\", catchupWindow: soon}}",
      })
  void whatTheParserRefusesInAScheduleForItsShapeTheSchemaRefusesToo(String spec) throws Exception {
    String yaml = "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n" + spec + "\n";

    assertThat(Rejections.of(yaml).problems()).isNotEmpty();
    assertThat(RAW_SCHEMA.validate(YAML.readTree(yaml))).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{provider: simulated, region: us-west-2, nodePools: []}",
        "{provider: gcp, region: us-west-2, nodePools: [{name: a, instanceType: m5.large, minSize:"
            + " 1, maxSize: 1}]}",
        "{provider: simulated, region: uswest2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5large,"
            + " minSize: 1, maxSize: 1}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1, taints: [{key: k, effect: NoSchedul}]}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1, spot: {maxPrice: \"-1\"}}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1, gpu: {perNode: 0}}]}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1}], budget: {monthlyLimit: 0}}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1}], autoscaling: {targetCpuUtilization: 101}}",
        "{provider: simulated, region: us-west-2, nodePools: [{name: a, instanceType: m5.large,"
            + " minSize: 1, maxSize: 1}], nodepools: []}",
      })
  void whatTheParserRefusesInAClusterForItsShapeTheSchemaRefusesToo(String spec) throws Exception {
    String yaml =
        "apiVersion: capstan.io/v1\nkind: Cluster\nmetadata: {name: c}\nspec: " + spec + "\n";

    assertThat(Rejections.of(yaml).problems()).isNotEmpty();
    assertThat(RAW_SCHEMA.validate(YAML.readTree(yaml))).isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spec: {simulate: {}, schedule: \"0 3 * * *\"}",
        "spec: {simulate: {}, schedule: {cron: \"@every 10m\", overlap: bufferAll, catchupWindow:"
            + " 1h, paused: true, timezone: Europe/Berlin}}",
      })
  void bothFormsOfAScheduleAreAcceptedByTheSchemaAndTheParser(String spec) throws Exception {
    String yaml = "apiVersion: capstan.io/v1\nkind: Job\nmetadata: {name: j}\n" + spec + "\n";

    assertThat(DefinitionParser.parse(yaml)).hasSize(1);
    assertThat(RAW_SCHEMA.validate(YAML.readTree(yaml))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "spec: {tasks: [{name: a, shell: {command: [x], env: {A: v, B_2: 3}}}]}",
        "spec: {tasks: [{name: a, shell: {command: [x], env: [{name: A, value: v}, {name: B,"
            + " secretRef: db-url}]}}]}",
        "spec: {tasks: [{name: a, container: {image: i, env: [{name: _T, secretRef: t}]}}]}",
      })
  void bothFormsOfEnvAreAcceptedByTheSchemaAndTheParser(String spec) throws Exception {
    String yaml = "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: p}\n" + spec + "\n";

    assertThat(DefinitionParser.parse(yaml)).hasSize(1);
    assertThat(RAW_SCHEMA.validate(YAML.readTree(yaml))).isEmpty();
  }

  private static void compare(
      Class<?> definition, JsonNode root, String where, String specDefinition, List<String> out) {
    List<String> names = names(definition);
    assertSameNames(where, names, properties(root), out);
    compareRecord(
        io.capstan.definitions.Metadata.class,
        resolve(root.at("/properties/metadata")),
        where + ".metadata",
        out);
    compareRecord(
        (Class<?>) component(definition, "spec").getGenericType(),
        SCHEMA.at("/$defs/" + specDefinition),
        where + ".spec",
        out);
  }

  private static void compareRecord(
      Class<?> record, JsonNode schema, String where, List<String> out) {
    JsonNode resolved = resolve(schema);
    assertSameNames(where, names(record), properties(resolved), out);
    for (RecordComponent component : record.getRecordComponents()) {
      JsonNode property = resolved.path("properties").path(component.getName());
      if (!property.isMissingNode()) {
        compareType(component.getGenericType(), property, where + "." + component.getName(), out);
      }
    }
  }

  private static void compareType(Type type, JsonNode property, String where, List<String> out) {
    JsonNode schema = resolve(property);
    Class<?> raw =
        type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) type;
    if (raw == Duration.class) {
      if (!"#/$defs/Duration".equals(property.path("$ref").asText())) {
        out.add(where + ": a Duration in the record but not a $defs/Duration in the schema");
      }
    } else if (raw.isEnum()) {
      List<String> jsonNames =
          Arrays.stream(raw.getEnumConstants()).map(c -> jsonName((Enum<?>) c)).toList();
      List<String> schemaNames = new ArrayList<>();
      schema.path("enum").forEach(n -> schemaNames.add(n.asText()));
      if (!jsonNames.equals(schemaNames)) {
        out.add(
            where + ": enum " + jsonNames + " in the record, " + schemaNames + " in the schema");
      }
    } else if (raw.isRecord()) {
      compareRecord(raw, schema, where, out);
    } else if (List.class.isAssignableFrom(raw)) {
      expectType(schema, "array", where, out);
      Type item = ((ParameterizedType) type).getActualTypeArguments()[0];
      compareType(item, schema.path("items"), where + "[]", out);
    } else if (Map.class.isAssignableFrom(raw)) {
      expectType(schema, "object", where, out);
    } else if (raw == String.class) {
      expectType(schema, "string", where, out);
    } else if (raw == Integer.class || raw == int.class || raw == Long.class) {
      expectType(schema, "integer", where, out);
    } else if (raw == Double.class || raw == BigDecimal.class) {
      expectType(schema, "number", where, out);
    } else if (raw == Boolean.class || raw == boolean.class) {
      expectType(schema, "boolean", where, out);
    } else {
      out.add(where + ": no rule compares a " + raw.getSimpleName() + " with the schema");
    }
  }

  private static void expectType(JsonNode schema, String type, String where, List<String> out) {
    JsonNode declared = schema.path("type");
    boolean matches =
        declared.isArray()
            ? declared.toString().contains('"' + type + '"')
            : declared.asText().equals(type);
    if (!matches) {
      out.add(where + ": " + type + " in the record, " + declared + " in the schema");
    }
  }

  private static void assertSameNames(
      String where, List<String> record, List<String> schema, List<String> out) {
    record.stream()
        .filter(n -> !schema.contains(n))
        .forEach(n -> out.add(where + "." + n + " is in the record but not in the schema"));
    schema.stream()
        .filter(n -> !record.contains(n))
        .forEach(n -> out.add(where + "." + n + " is in the schema but not in the record"));
  }

  private static List<String> names(Class<?> record) {
    return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
  }

  private static List<String> properties(JsonNode schema) {
    List<String> names = new ArrayList<>();
    schema.path("properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static RecordComponent component(Class<?> record, String name) {
    return Arrays.stream(record.getRecordComponents())
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** Follows {@code $ref}s into {@code $defs}. */
  private static JsonNode resolve(JsonNode schema) {
    JsonNode at = schema;
    while (at.has("$ref")) {
      at = SCHEMA.at(at.get("$ref").asText().substring(1));
    }
    return at;
  }

  private static String jsonName(Enum<?> constant) {
    for (Method method : constant.getDeclaringClass().getMethods()) {
      if (method.isAnnotationPresent(JsonValue.class)) {
        try {
          return String.valueOf(method.invoke(constant));
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    try {
      JsonProperty property =
          constant.getDeclaringClass().getField(constant.name()).getAnnotation(JsonProperty.class);
      return property != null ? property.value() : constant.name();
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(e);
    }
  }
}
