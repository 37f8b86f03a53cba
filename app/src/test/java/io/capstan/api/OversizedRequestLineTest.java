package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.javalin.testtools.JavalinTest;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Requests that Jetty refuses before any route sees them still answer with the API's error body,
 * naming the limit and what to do.
 */
@DisplayName("Requests above the request-line and header limits")
class OversizedRequestLineTest {
  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @Test
  @DisplayName("a query longer than 16 KiB is 414 with the standard error body")
  void longQueryIs414() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client).get("/api/v1/runs?param.x=" + "x".repeat(20_000), null);

          assertThat(reply.status()).isEqualTo(414);
          assertThat(reply.header("Content-Type")).startsWith("application/json");
          assertThat(reply.error())
              .isEqualTo("the request line is longer than the limit of 16384 bytes");
          assertThat(reply.json().path("details").get(0).path("path").asText()).isEqualTo("query");
        });
  }

  @Test
  @DisplayName("a query of 10,000 characters is still read")
  void tenThousandCharacterQueryIsRead() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client)
                  .post(
                      "/api/v1/validate?param.source=" + "x".repeat(10_000),
                      null,
                      Definitions.PIPELINE,
                      Http.YAML);

          assertThat(reply.status()).as(reply.text()).isEqualTo(200);
        });
  }

  @Test
  @DisplayName("headers larger than 16 KiB are 431 with the standard error body")
  void largeHeadersAre431() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client)
                  .send(
                      "GET",
                      "/api/v1/runs",
                      null,
                      null,
                      null,
                      Map.of("X-Padding", "p".repeat(20_000)));

          assertThat(reply.status()).isEqualTo(431);
          assertThat(reply.error())
              .isEqualTo("the request headers are larger than the limit of 16384 bytes");
        });
  }
}
