package io.capstan.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import io.capstan.api.ApiApp;
import io.capstan.api.Http;
import io.capstan.api.TestTemporal;
import io.capstan.api.auth.ApiSecurity;
import io.capstan.api.auth.TokenRegistry;
import io.capstan.definitions.fuzz.DefinitionFuzzer;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.router.Endpoint;
import io.javalin.router.ParsedEndpoint;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document served at {@code GET /api/v1/openapi.json} describes the API as it is: every
 * route and only routes, with the answers the routes really give.
 */
@DisplayName("The OpenAPI document describes every route and the answers they give")
class OpenApiDocumentTest {
  private static final String RESOURCE = "io/capstan/api/openapi.json";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete");

  /** Routes anyone may call; every other one needs a bearer token when authentication is on. */
  private static final Set<String> OPEN = Set.of("GET /healthz", "GET /api/v1/openapi.json");

  private static final JsonSchemaFactory SCHEMAS =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V4,
          builder ->
              builder
                  .metaSchema(OpenApi30.getInstance())
                  .defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));

  /** A pipeline still running when the test signals and cancels it. */
  private static final String SLOW =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: slow-one}
      spec:
        tasks:
          - {name: crunch, simulate: {duration: 60s, output: done}}
          - {name: after, dependsOn: [crunch], simulate: {output: x}}
      """;

  private static JsonNode document;
  private static TestTemporal temporal;

  @BeforeAll
  static void readDocument() throws IOException {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/" + RESOURCE)) {
      assertThat(in).as("the resource " + RESOURCE).isNotNull();
      document = JSON.readTree(in);
    }
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    if (temporal != null) {
      temporal.close();
    }
  }

  @Test
  @DisplayName(
      "it is OpenAPI 3.0.3 with this build's version, the bearer scheme and no dangling $ref")
  void isOpenApiWithBearerSchemeAndResolvableReferences() {
    assertThat(document.path("openapi").asText()).isEqualTo("3.0.3");
    assertThat(document.at("/info/version").asText()).isEqualTo("v1");
    assertThat(document.at("/components/securitySchemes/bearerAuth/type").asText())
        .isEqualTo("http");
    assertThat(document.at("/components/securitySchemes/bearerAuth/scheme").asText())
        .isEqualTo("bearer");
    assertThat(document.at("/security/0/bearerAuth").isArray()).isTrue();

    List<String> dangling = new ArrayList<>();
    references(document, dangling);
    assertThat(dangling).as("$refs that point nowhere").isEmpty();
  }

  @Test
  @DisplayName("every route of the app is documented, and every documented operation is a route")
  void routesAndDocumentedOperationsAreTheSame() {
    Javalin app = ApiApp.create(temporal.deps());
    Set<String> routes =
        app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
            .map(ParsedEndpoint::getEndpoint)
            .filter(endpoint -> endpoint.getMethod().isHttpMethod())
            // The CORS preflight of the codec routes belongs to CORS, not to the API's operations.
            .filter(endpoint -> endpoint.getMethod() != HandlerType.OPTIONS)
            .map(OpenApiDocumentTest::route)
            .collect(Collectors.toCollection(TreeSet::new));

    assertThat(operations().keySet()).containsExactlyInAnyOrderElementsOf(routes);
  }

  @Test
  @DisplayName("each operation documents success, and each protected one 401 and 403")
  void operationsDocumentSuccessAndAuthenticationFailures() {
    Set<String> operationIds = new TreeSet<>();
    operations()
        .forEach(
            (route, operation) -> {
              assertThat(operationIds.add(operation.path("operationId").asText()))
                  .as("operationId of %s is unique", route)
                  .isTrue();
              JsonNode responses = operation.path("responses");
              assertThat(responses.fieldNames())
                  .toIterable()
                  .as("%s documents a 2xx answer", route)
                  .anyMatch(status -> status.startsWith("2"));
              if (OPEN.contains(route)) {
                assertThat(operation.path("security").isEmpty()).as("%s is open", route).isTrue();
              } else {
                assertThat(responses.has("401") && responses.has("403"))
                    .as("%s documents 401 and 403", route)
                    .isTrue();
              }
              if (route.startsWith("POST ")) {
                assertThat(responses.has("413")).as("%s documents 413", route).isTrue();
              }
            });
  }

  @Test
  @DisplayName("the API serves this very document, without a token even when auth is on")
  void theApiServesThisDocumentOpenly() {
    ApiSecurity bearer = ApiSecurity.bearer(TokenRegistry.empty());
    JavalinTest.test(
        ApiApp.create(temporal.deps().withSecurity(bearer)),
        (server, client) -> {
          Http http = new Http(client);
          Http.Answer served = http.get("/api/v1/openapi.json");
          assertThat(served.status()).isEqualTo(200);
          assertThat(served.contentType()).startsWith("application/json");
          assertThat(served.json()).isEqualTo(document);

          Http.Answer refused = http.get("/api/v1/runs");
          assertThat(refused.status()).isEqualTo(401);
          conforms("GET /api/v1/runs", refused);
        });
  }

  @Test
  @DisplayName("the answers of every kind of request match the documented schemas")
  void answersMatchTheDocumentedSchemas() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String pipeline = DefinitionFuzzer.INLINE.get(3).text();
          String job =
              """
              apiVersion: capstan.io/v1
              kind: Job
              metadata: {name: tiny, namespace: team-a}
              spec:
                simulate: {duration: 10ms, output: done}
              """;
          String simple =
              """
              apiVersion: capstan.io/v1
              kind: Pipeline
              metadata: {name: two-steps}
              spec:
                tasks:
                  - {name: a, simulate: {output: x}}
                  - {name: b, dependsOn: [a], simulate: {output: "#{a.output}"}}
              """;

          conforms("POST /api/v1/validate", http.post("/api/v1/validate", simple, Http.YAML));
          conforms(
              "POST /api/v1/validate",
              http.post("/api/v1/validate", simple + "---\n" + job, Http.YAML));
          conforms("POST /api/v1/validate", http.post("/api/v1/validate", "kind: Job", Http.YAML));
          conforms("POST /api/v1/validate", http.post("/api/v1/validate", pipeline, Http.YAML));
          conforms("POST /api/v1/validate", http.post("/api/v1/validate", "", Http.YAML));

          Http.Answer submitted = http.post("/api/v1/runs", simple, Http.YAML);
          assertThat(submitted.status()).isEqualTo(201);
          conforms("POST /api/v1/runs", submitted);
          String id = submitted.json().path("id").asText();
          conforms(
              "POST /api/v1/runs", http.post("/api/v1/runs", simple + "---\n" + job, Http.YAML));
          conforms(
              "POST /api/v1/runs",
              http.post("/api/v1/runs?param.x=%C3%A9&param.x=2", simple, Http.YAML));
          conforms(
              "POST /api/v1/runs",
              http.post("/api/v1/runs", job + "  schedule: \"@hourly\"\n", Http.YAML));

          conforms("GET /api/v1/runs/{id}", http.get("/api/v1/runs/" + id));
          temporal.awaitResult(id);
          conforms("GET /api/v1/runs/{id}", http.get("/api/v1/runs/" + id));
          conforms(
              "GET /api/v1/runs/{id}", http.get("/api/v1/runs/pipeline-default-nope-abcd1234"));
          conforms("GET /api/v1/runs", http.get("/api/v1/runs"));
          conforms("GET /api/v1/runs", http.get("/api/v1/runs?kind=pipeline&pageSize=1"));
          conforms("GET /api/v1/runs", http.get("/api/v1/runs?pageSize=0"));
          conforms("GET /api/v1/runs", http.get("/api/v1/runs?status=sleeping"));

          conforms(
              "POST /api/v1/runs/{id}/signals/{name}",
              http.post("/api/v1/runs/" + id + "/signals/pause", "", Http.JSON));
          conforms(
              "POST /api/v1/runs/{id}/signals/{name}",
              http.post("/api/v1/runs/" + id + "/signals/pause", "{", Http.JSON));
          conforms(
              "POST /api/v1/runs/{id}/cancel",
              http.post("/api/v1/runs/" + id + "/cancel", "", Http.JSON));
          conforms(
              "POST /api/v1/runs/{id}/tasks/{task}/retry",
              http.post("/api/v1/runs/" + id + "/tasks/a/retry", "{\"params\": {}}", Http.JSON));
          conforms(
              "POST /api/v1/runs/{id}/tasks/{task}/retry",
              http.post("/api/v1/runs/" + id + "/tasks/zz/retry", "", Http.JSON));

          Http.Answer running = http.post("/api/v1/runs", SLOW, Http.YAML);
          String slow = running.json().path("id").asText();
          conforms(
              "POST /api/v1/runs/{id}/signals/{name}",
              http.post("/api/v1/runs/" + slow + "/signals/pause", "", Http.JSON));
          conforms(
              "POST /api/v1/runs/{id}/signals/{name}",
              http.post("/api/v1/runs/" + slow + "/signals/dance", "", Http.JSON));
          conforms("GET /api/v1/runs/{id}", http.get("/api/v1/runs/" + slow));
          conforms(
              "POST /api/v1/runs/{id}/cancel",
              http.post("/api/v1/runs/" + slow + "/cancel", "", Http.JSON));

          conforms("GET /api/v1/schedules", http.get("/api/v1/schedules"));
          conforms("GET /api/v1/schedules/{id}", http.get("/api/v1/schedules/schedule-a-b"));
          conforms(
              "POST /api/v1/schedules/{id}/backfill",
              http.post("/api/v1/schedules/schedule-a-b/backfill", "{}", Http.JSON));
          conforms("GET /api/v1/info", http.get("/api/v1/info"));
          conforms("GET /api/v1/gpu", http.get("/api/v1/gpu"));
          conforms(
              "POST /api/v1/gpu/hosts/{host}/devices/{device}/quarantine",
              http.post("/api/v1/gpu/hosts/h/devices/0/quarantine", "", Http.JSON));
          conforms(
              "POST /api/v1/gpu/hosts/{host}/devices/{device}/restore",
              http.post(
                  "/api/v1/gpu/hosts/h/devices/x/restore", "{\"reason\": \"ok\"}", Http.JSON));
          conforms("GET /healthz", http.get("/healthz"));
          conforms(
              "POST /codec/decode", http.post("/codec/decode", "{\"payloads\": []}", Http.JSON));
        });
  }

  /** The operations of the document by {@code METHOD /path}. */
  private static Map<String, JsonNode> operations() {
    Map<String, JsonNode> operations = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fields()
          .forEachRemaining(
              operation -> {
                if (METHODS.contains(operation.getKey())) {
                  operations.put(
                      operation.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey(),
                      operation.getValue());
                }
              });
    }
    return operations;
  }

  private static String route(Endpoint endpoint) {
    String path =
        endpoint.getPath().startsWith("/") ? endpoint.getPath() : "/" + endpoint.getPath();
    return endpoint.getMethod().name() + " " + path;
  }

  /** Checks an answer against the schema the document gives for its route and status. */
  private static void conforms(String route, Http.Answer answer) {
    JsonNode operation = operations().get(route);
    assertThat(operation).as("documented operation %s", route).isNotNull();
    JsonNode response = operation.path("responses").path(Integer.toString(answer.status()));
    assertThat(response.isMissingNode())
        .as("%s documents status %d (answered %s)", route, answer.status(), answer.text())
        .isFalse();
    String pointer = "/paths/" + escape(route.substring(route.indexOf(' ') + 1));
    pointer += "/" + route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
    pointer += "/responses/" + answer.status();
    if (response.has("$ref")) {
      pointer = response.path("$ref").asText().substring(1);
      response = document.at(pointer);
    }
    JsonNode content = response.path("content").path("application/json");
    if (content.isMissingNode()) {
      return;
    }
    assertThat(answer.contentType())
        .as("%s %d content type", route, answer.status())
        .startsWith("application/json");
    SchemaLocation location =
        SchemaLocation.of(
            "classpath:" + RESOURCE + "#" + pointer + "/content/application~1json/schema");
    JsonSchema schema = SCHEMAS.getSchema(location);
    Set<ValidationMessage> violations = schema.validate(answer.json());
    assertThat(violations).as("%s %d answered %s", route, answer.status(), answer.text()).isEmpty();
  }

  private static String escape(String path) {
    return path.replace("~", "~0").replace("/", "~1");
  }

  private static void references(JsonNode node, List<String> dangling) {
    if (node.isObject() && node.has("$ref")) {
      String target = node.path("$ref").asText();
      if (!target.startsWith("#/") || document.at(target.substring(1)).isMissingNode()) {
        dangling.add(target);
      }
    }
    node.elements().forEachRemaining(child -> references(child, dangling));
  }
}
