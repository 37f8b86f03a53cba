package io.capstan.workflows.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.capstan.workflows.RunSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code docker-compose.temporal.yml} as far as a machine without a Docker engine can: it
 * parses, pins every image, publishes the usual ports, and registers exactly the search attributes
 * that Capstan's runs carry.
 */
@DisplayName("docker-compose.temporal.yml")
class TemporalComposeFileTest {
  static final String FILE = "docker-compose.temporal.yml";

  /** {@code repository:tag} with a tag that names a version: digits, dots, dashes. */
  static final Pattern PINNED =
      Pattern.compile("^[a-z0-9]+(?:[._/-][a-z0-9]+)*:(?<tag>[0-9][A-Za-z0-9._-]*)$");

  static final Pattern REGISTERED = Pattern.compile("--name\\s+(\\S+)\\s+--type\\s+(\\S+)");

  static JsonNode compose;
  static JsonNode services;

  @BeforeAll
  static void read() throws IOException {
    // Maven runs the tests in the module folder; an IDE may run them from the repository root.
    Path file = Files.exists(Path.of(FILE)) ? Path.of(FILE) : Path.of("..", FILE);
    compose = new YAMLMapper().readTree(Files.readString(file));
    services = compose.path("services");
  }

  @Test
  @DisplayName("runs Temporal on PostgreSQL with the Web UI, the admin tools and a setup job")
  void hasTheServices() {
    assertThat(services.properties())
        .extracting(Map.Entry::getKey)
        .containsExactlyInAnyOrder(
            "postgresql",
            "temporal",
            "temporal-search-attributes",
            "temporal-admin-tools",
            "temporal-ui");
    assertThat(image("temporal")).startsWith("temporalio/auto-setup:1.29.");
    assertThat(image("temporal-ui")).startsWith("temporalio/ui:2.");
    assertThat(image("temporal-admin-tools")).startsWith("temporalio/admin-tools:1.29.");
    assertThat(image("postgresql")).startsWith("postgres:16.");
    assertThat(services.at("/temporal/environment/DB").asText()).isEqualTo("postgres12");
  }

  @Test
  @DisplayName("pins every image to an explicit version tag")
  void pinsEveryImage() {
    List<String> unpinned = new ArrayList<>();
    services
        .properties()
        .forEach(
            service -> {
              String image = service.getValue().path("image").asText();
              Matcher pinned = PINNED.matcher(image);
              if (!pinned.matches() || pinned.group("tag").equalsIgnoreCase("latest")) {
                unpinned.add(service.getKey() + ": '" + image + "'");
              }
            });

    assertThat(unpinned).isEmpty();
  }

  @Test
  @DisplayName("publishes Temporal on 7233 and the Web UI on 8233, as the dev server does")
  void publishesTheUsualPorts() {
    assertThat(ports("temporal")).containsExactly("7233:7233");
    assertThat(ports("temporal-ui")).containsExactly("8233:8080");
    assertThat(services.at("/temporal-ui/environment/TEMPORAL_ADDRESS").asText())
        .isEqualTo("temporal:7233");
  }

  @Test
  @DisplayName("waits for healthy PostgreSQL and Temporal before what needs them")
  void startsInOrder() {
    assertThat(services.at("/postgresql/healthcheck/test").isMissingNode()).isFalse();
    assertThat(services.at("/temporal/healthcheck/test").isMissingNode()).isFalse();
    assertThat(services.at("/temporal/depends_on/postgresql/condition").asText())
        .isEqualTo("service_healthy");
    for (String dependent :
        List.of("temporal-search-attributes", "temporal-admin-tools", "temporal-ui")) {
      assertThat(services.at("/" + dependent + "/depends_on/temporal/condition").asText())
          .as(dependent)
          .isEqualTo("service_healthy");
    }
    assertThat(services.at("/temporal-search-attributes/restart").asText()).isEqualTo("no");
  }

  @Test
  @DisplayName("registers exactly the search attributes of RunSearchAttributes, with their types")
  void registersCapstansSearchAttributes() {
    Map<String, String> registered = new LinkedHashMap<>();
    StringBuilder script = new StringBuilder();
    services
        .at("/temporal-search-attributes/command")
        .forEach(line -> script.append(line.asText()));
    Matcher m = REGISTERED.matcher(script);
    while (m.find()) {
      registered.put(m.group(1), m.group(2));
    }
    Map<String, String> expected = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      expected.put(key.getName(), cliType(key.getValueType()));
    }

    assertThat(registered).containsExactlyInAnyOrderEntriesOf(expected);
    assertThat(expected).containsEntry("CapstanLabels", "KeywordList");
  }

  private static String image(String service) {
    return services.path(service).path("image").asText();
  }

  private static List<String> ports(String service) {
    List<String> ports = new ArrayList<>();
    services.path(service).path("ports").forEach(p -> ports.add(p.asText()));
    return ports;
  }

  /** The type as {@code temporal operator search-attribute create --type} names it. */
  private static String cliType(IndexedValueType type) {
    StringBuilder name = new StringBuilder();
    for (String word : type.name().replace("INDEXED_VALUE_TYPE_", "").split("_")) {
      name.append(word.charAt(0)).append(word.substring(1).toLowerCase(Locale.ROOT));
    }
    return name.toString();
  }
}
