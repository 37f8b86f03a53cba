package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * One tenant cannot see or touch another's runs, and every refusal says what to fix. A run of
 * another namespace answers exactly as an id no run has, so a crafted id learns nothing.
 */
@DisplayName("Authentication and tenant isolation")
class TenantIsolationTest {
  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private static io.javalin.Javalin api() {
    return ApiApp.create(temporal.deps().withSecurity(Bearer.security()));
  }

  @Test
  @DisplayName(
      "a crafted id of another tenant's run answers 404 with the very body of an unknown id, for"
          + " get, signal, cancel and retry, and the run is untouched")
  void craftedIdOfAnotherTenantIsNotFound() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          String theirs = http.submit(Bearer.OTHER_OPERATOR, Bearer.longPipeline("team-b", "etl"));
          String unknown = theirs.substring(0, theirs.length() - 8) + "zzzzzzzz";

          for (String[] route :
              new String[][] {
                {"GET", ""},
                {"POST", "/signals/pause"},
                {"POST", "/signals/no-such-signal"},
                {"POST", "/cancel"},
                {"POST", "/tasks/crunch/retry"},
                {"POST", "/tasks/no-such-task/retry"}
              }) {
            Bearer.Reply crafted =
                http.send(
                    route[0],
                    "/api/v1/runs/" + theirs + route[1],
                    Bearer.OPERATOR,
                    null,
                    null,
                    Map.of());
            Bearer.Reply absent =
                http.send(
                    route[0],
                    "/api/v1/runs/" + unknown + route[1],
                    Bearer.OPERATOR,
                    null,
                    null,
                    Map.of());

            assertThat(crafted.status()).as(route[0] + route[1]).isEqualTo(404);
            assertThat(crafted.text()).isEqualTo(absent.text().replace(unknown, theirs));
            assertThat(crafted.error()).isEqualTo("no run with id '" + theirs + "'");
          }
          JsonNode run = http.get("/api/v1/runs/" + theirs, Bearer.OTHER_OPERATOR).json();
          assertThat(run.path("status").asText()).isEqualTo("RUNNING");
          assertThat(run.path("phase").asText()).isNotEqualTo("PAUSED");
        });
  }

  @Test
  @DisplayName(
      "listing without a filter shows only the caller's namespaces; an admin sees every one")
  void listingShowsOnlyOwnNamespaces() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          String ours = http.submit(Bearer.OPERATOR, Bearer.longPipeline("team-a", "ours"));
          String theirs =
              http.submit(Bearer.OTHER_OPERATOR, Bearer.longPipeline("team-b", "theirs"));

          assertThat(ids(http.get("/api/v1/runs", Bearer.OPERATOR))).containsExactly(ours);
          assertThat(ids(http.get("/api/v1/runs", Bearer.VIEWER))).containsExactly(ours);
          assertThat(ids(http.get("/api/v1/runs", Bearer.OTHER_OPERATOR))).containsExactly(theirs);
          assertThat(ids(http.get("/api/v1/runs?kind=Pipeline", Bearer.OPERATOR)))
              .containsExactly(ours);
          assertThat(ids(http.get("/api/v1/runs", Bearer.ADMIN)))
              .containsExactlyInAnyOrder(ours, theirs);
        });
  }

  private static List<String> ids(Bearer.Reply reply) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    reply.json().path("runs").forEach(run -> ids.add(run.path("id").asText()));
    return ids;
  }

  @Test
  @DisplayName(
      "a definition in another namespace is 403 naming the token, its namespaces and the"
          + " definition's, with the line to change, and nothing starts")
  void submittingIntoAnotherNamespaceIsForbidden() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          String yaml = Bearer.longPipeline("team-b", "sneaky");

          for (String path : new String[] {"/api/v1/runs", "/api/v1/validate"}) {
            Bearer.Reply reply = http.post(path, Bearer.OPERATOR, yaml, Http.YAML);

            assertThat(reply.status()).as(reply.text()).isEqualTo(403);
            assertThat(reply.error())
                .isEqualTo(
                    "token 'operator-a' may use namespace team-a; this definition is in team-b");
            JsonNode detail = reply.json().path("details").get(0);
            assertThat(detail.path("path").asText()).isEqualTo("metadata.namespace");
            assertThat(detail.path("line").asInt()).isEqualTo(3);
            assertThat(detail.path("message").asText())
                .isEqualTo("set it to team-a, or use a token of namespace team-b");
          }
          assertThat(ids(http.get("/api/v1/runs", Bearer.ADMIN))).isEmpty();
        });
  }

  @Test
  @DisplayName("a definition without a namespace is in 'default', and the refusal says so")
  void definitionWithoutNamespaceIsInDefault() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client).post("/api/v1/runs", Bearer.OPERATOR, Definitions.JOB, Http.YAML);

          assertThat(reply.status()).isEqualTo(403);
          assertThat(reply.error()).endsWith("this definition is in default");
          assertThat(reply.json().path("details").get(0).path("message").asText())
              .isEqualTo(
                  "not set, so 'default'; set it to team-a, or use a token of namespace default");
        });
  }

  @Test
  @DisplayName("filtering the list by a namespace that is not the caller's is 403 saying so")
  void listFilterOutsideOwnNamespacesIsForbidden() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client).get("/api/v1/runs?namespace=team-b", Bearer.VIEWER);

          assertThat(reply.status()).isEqualTo(403);
          assertThat(reply.error())
              .isEqualTo(
                  "token 'viewer-a' may use namespace team-a; namespace 'team-b' is not one of"
                      + " them");
          assertThat(reply.json().path("details").get(0).path("path").asText())
              .isEqualTo("namespace");
        });
  }

  @Test
  @DisplayName("a viewer's change is 403 naming its role and the role the route needs")
  void viewerCannotChangeAnything() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          Bearer.Reply reply =
              http.post(
                  "/api/v1/runs", Bearer.VIEWER, Bearer.longPipeline("team-a", "x"), Http.YAML);

          assertThat(reply.status()).isEqualTo(403);
          assertThat(reply.error())
              .isEqualTo("token 'viewer-a' has role viewer; POST /api/v1/runs needs operator");
          assertThat(ids(http.get("/api/v1/runs", Bearer.ADMIN))).isEmpty();
        });
  }

  @Test
  @DisplayName(
      "no token and a bad token are 401 with a Bearer challenge; a bad token's says"
          + " invalid_token; so is another scheme")
  void missingOrBadTokenIsUnauthorized() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);

          Bearer.Reply none = http.get("/api/v1/runs", null);
          assertThat(none.status()).isEqualTo(401);
          assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"capstan\"");
          assertThat(none.error())
              .isEqualTo("authentication required: send the header Authorization: Bearer <token>");
          assertThat(none.json().path("details").get(0).path("message").asText())
              .contains("$CAPSTAN_TOKEN");

          Bearer.Reply bad = http.get("/api/v1/runs", "guess");
          assertThat(bad.status()).isEqualTo(401);
          assertThat(bad.header("WWW-Authenticate"))
              .isEqualTo("Bearer realm=\"capstan\", error=\"invalid_token\"");
          assertThat(bad.error()).isEqualTo("the bearer token is not valid");

          Bearer.Reply basic =
              http.send(
                  "GET", "/api/v1/runs", null, null, null, Map.of("Authorization", "Basic YTpi"));
          assertThat(basic.status()).isEqualTo(401);
          assertThat(basic.error()).isEqualTo("the Authorization header is not a bearer token");

          // Unknown paths need a token too, so a caller without one cannot map the API.
          assertThat(http.get("/api/v1/nothing-here", null).status()).isEqualTo(401);
          assertThat(http.get("/api/v1/nothing-here", Bearer.VIEWER).status()).isEqualTo(404);
        });
  }

  @Test
  @DisplayName("healthz and the OpenAPI document are open; metrics are open unless protected")
  void openRoutes() {
    JavalinTest.test(
        api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          assertThat(http.get("/healthz", null).status()).isEqualTo(200);
          assertThat(http.get("/metrics", null).status()).isEqualTo(200);
          assertThat(http.get("/api/v1/openapi.json", null).status()).isNotIn(401, 403);
        });
  }

  @Test
  @DisplayName("protected metrics need an admin: 401 without a token, 403 for an operator")
  void protectedMetricsNeedAnAdmin() {
    JavalinTest.test(
        ApiApp.create(temporal.deps().withSecurity(Bearer.security().withMetricsProtected(true))),
        (server, client) -> {
          Bearer http = new Bearer(client);
          assertThat(http.get("/metrics", null).status()).isEqualTo(401);
          Bearer.Reply operator = http.get("/metrics", Bearer.OPERATOR);
          assertThat(operator.status()).isEqualTo(403);
          assertThat(operator.error())
              .isEqualTo("token 'operator-a' has role operator; GET /metrics needs admin");
          Bearer.Reply admin = http.get("/metrics", Bearer.ADMIN);
          assertThat(admin.status()).isEqualTo(200);
          assertThat(admin.text()).contains("http_server_requests");
          assertThat(http.get("/healthz", null).status()).isEqualTo(200);
        });
  }

  @Test
  @DisplayName("with authentication off, as the existing tests run, every route is open")
  void authOffLetsEveryoneIn() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Bearer http = new Bearer(client);
          assertThat(http.get("/api/v1/runs", null).status()).isEqualTo(200);
          assertThat(http.get("/api/v1/runs", "any-token-at-all").status()).isEqualTo(200);
        });
  }
}
