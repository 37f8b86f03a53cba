package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.system.SystemController;
import io.javalin.testtools.JavalinTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every {@code /api/v1} route, asked by every kind of caller (no token, a bad token, a viewer, an
 * operator and an admin) about its own namespace and another one, answers exactly the status the
 * authorization rules give: 401 before anything else, then 403 for a role too low or a namespace
 * named outside the caller's own, then 404 for a run of another namespace (as for an unknown id),
 * and only then what the route itself says. On the Java test server the schedule routes end in 422
 * (it has no Schedules), which shows that authentication and authorization were decided first.
 */
@DisplayName("The authorization matrix: callers × namespaces × routes")
class AuthMatrixTest {
  private static final String OWN = "team-a";
  private static final String OTHER = "team-b";

  /** Who asks; the viewer and the operator may use {@link #OWN} only, the admin every namespace. */
  enum Caller {
    NONE(null),
    BAD_TOKEN("not-a-token-anyone-has"),
    VIEWER(Bearer.VIEWER),
    OPERATOR(Bearer.OPERATOR),
    ADMIN(Bearer.ADMIN);

    final String token;

    Caller(String token) {
      this.token = token;
    }

    boolean writes() {
      return this == OPERATOR || this == ADMIN;
    }
  }

  /**
   * A route: its method, whether it changes anything (an operator's), what it answers when allowed,
   * and what it answers for another namespace's resource (0 when that cannot differ).
   */
  enum Route {
    SUBMIT("POST", true, 201, 403),
    VALIDATE("POST", true, 200, 403),
    LIST("GET", false, 200, 403),
    GET("GET", false, 200, 404),
    SIGNAL("POST", true, 202, 404),
    CANCEL("POST", true, 202, 404),
    RETRY("POST", true, 202, 404),
    SCHEDULES_LIST("GET", false, 200, 0),
    SCHEDULE_GET("GET", false, 422, 0),
    SCHEDULE_DELETE("DELETE", true, 422, 0),
    SCHEDULE_PAUSE("POST", true, 422, 0),
    SCHEDULE_UNPAUSE("POST", true, 422, 0),
    SCHEDULE_TRIGGER("POST", true, 422, 0),
    SCHEDULE_BACKFILL("POST", true, 422, 0),
    INFO("GET", false, 200, 0),
    OPENAPI("GET", false, 200, 0);

    final String method;
    final boolean write;
    final int allowed;
    final int otherNamespace;

    Route(String method, boolean write, int allowed, int otherNamespace) {
      this.method = method;
      this.write = write;
      this.allowed = allowed;
      this.otherNamespace = otherNamespace;
    }
  }

  /** The request a cell sends: path, body and content type. */
  record Request(String path, String body, String contentType) {}

  private static final int OPENAPI_STATUS =
      SystemController.class.getResource(SystemController.OPENAPI_RESOURCE) != null ? 200 : 404;

  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  /** The status the rules give a cell. */
  static int expected(Caller caller, boolean own, Route route) {
    if (route == Route.OPENAPI) {
      return OPENAPI_STATUS;
    }
    if (caller == Caller.NONE || caller == Caller.BAD_TOKEN) {
      return 401;
    }
    if (route.write && !caller.writes()) {
      return 403;
    }
    if (!own && caller != Caller.ADMIN && route.otherNamespace != 0) {
      return route.otherNamespace;
    }
    return route.allowed;
  }

  @Test
  @DisplayName(
      "each of 5 callers × 2 namespaces × 16 routes answers exactly 401, 403, 404 or the route's"
          + " own status")
  void everyCellAnswersAsTheRulesSay() {
    List<String> summary = new ArrayList<>();
    JavalinTest.test(
        ApiApp.create(temporal.deps().withSecurity(Bearer.security())),
        (server, client) -> {
          Bearer http = new Bearer(client);
          Map<Boolean, String> longRun = new HashMap<>();
          Map<Boolean, String> waitingRun = new HashMap<>();
          for (boolean own : new boolean[] {true, false}) {
            String ns = own ? OWN : OTHER;
            longRun.put(own, http.submit(Bearer.ADMIN, Bearer.longPipeline(ns, "long")));
            waitingRun.put(own, waitingRun(http, ns));
          }

          List<String> table = new ArrayList<>();
          List<String> wrong = new ArrayList<>();
          int cells = 0;
          for (Caller caller : Caller.values()) {
            for (boolean own : new boolean[] {true, false}) {
              String ns = own ? OWN : OTHER;
              for (Route route : Route.values()) {
                int expected = expected(caller, own, route);
                // A cancel or retry that is expected to succeed gets a run of its own, so that
                // later cells still find an open run in the state they need.
                String run = longRun.get(own);
                String waiting = waitingRun.get(own);
                if (expected / 100 == 2 && route == Route.CANCEL) {
                  run = http.submit(Bearer.ADMIN, Bearer.longPipeline(ns, "to-cancel"));
                }
                if (expected / 100 == 2 && route == Route.RETRY) {
                  waiting = waitingRun(http, ns);
                }
                Request request = request(route, ns, run, waiting);
                Bearer.Reply reply =
                    http.send(
                        route.method,
                        request.path(),
                        caller.token,
                        request.body(),
                        request.contentType(),
                        Map.of());
                cells++;
                String cell =
                    String.format(
                        "%-9s %-5s %-17s %s %s -> %d (expected %d)",
                        caller,
                        own ? "own" : "other",
                        route,
                        route.method,
                        request.path(),
                        reply.status(),
                        expected);
                table.add(cell);
                if (reply.status() != expected) {
                  wrong.add(cell + ": " + reply.text());
                } else if (reply.status() / 100 != 2 && route != Route.OPENAPI) {
                  // Every refusal is the standard error body, naming what to do about it.
                  if (reply.error().isBlank()) {
                    wrong.add(cell + ": no error message: " + reply.text());
                  }
                }
                if (reply.status() == 401
                    && !String.valueOf(reply.header("WWW-Authenticate"))
                        .startsWith("Bearer realm=\"capstan\"")) {
                  wrong.add(cell + ": no WWW-Authenticate challenge");
                }
              }
            }
          }
          summary.add(
              "auth matrix: "
                  + Caller.values().length
                  + " callers x 2 namespaces x "
                  + Route.values().length
                  + " routes = "
                  + cells
                  + " cells");
          summary.addAll(table);
          assertThat(cells).isEqualTo(160);
          assertThat(wrong).as("cells answering other than the rules say").isEmpty();
        });
    // JavalinTest keeps what a test prints to itself unless it fails, so the matrix is printed
    // here.
    System.out.println(String.join("\n", summary));
  }

  private static String waitingRun(Bearer http, String namespace) throws InterruptedException {
    String id = http.submit(Bearer.ADMIN, Bearer.waitingPipeline(namespace, "waiting"));
    http.awaitTask(id, "check", t -> "FAILED".equals(t.path("state").asText()));
    return id;
  }

  private static Request request(Route route, String ns, String run, String waiting) {
    String schedule = "/api/v1/schedules/schedule-" + ns + "-nightly";
    return switch (route) {
      case SUBMIT ->
          new Request("/api/v1/runs", Definitions.PIPELINE.replace("team-a", ns), Http.YAML);
      case VALIDATE ->
          new Request("/api/v1/validate", Definitions.PIPELINE.replace("team-a", ns), Http.YAML);
      case LIST -> new Request("/api/v1/runs?namespace=" + ns, null, null);
      case GET -> new Request("/api/v1/runs/" + run, null, null);
      case SIGNAL -> new Request("/api/v1/runs/" + run + "/signals/pause", null, null);
      case CANCEL -> new Request("/api/v1/runs/" + run + "/cancel", null, null);
      case RETRY -> new Request("/api/v1/runs/" + waiting + "/tasks/check/retry", null, null);
      case SCHEDULES_LIST -> new Request("/api/v1/schedules", null, null);
      case SCHEDULE_GET, SCHEDULE_DELETE -> new Request(schedule, null, null);
      case SCHEDULE_PAUSE -> new Request(schedule + "/pause", null, null);
      case SCHEDULE_UNPAUSE -> new Request(schedule + "/unpause", null, null);
      case SCHEDULE_TRIGGER -> new Request(schedule + "/trigger", null, null);
      case SCHEDULE_BACKFILL ->
          new Request(
              schedule + "/backfill",
              "{\"start\": \"2025-01-01T00:00:00Z\", \"end\": \"2025-01-02T00:00:00Z\"}",
              Http.JSON);
      case INFO -> new Request("/api/v1/info", null, null);
      case OPENAPI -> new Request("/api/v1/openapi.json", null, null);
    };
  }
}
