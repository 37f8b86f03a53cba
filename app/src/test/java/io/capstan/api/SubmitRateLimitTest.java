package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.auth.SubmitRate;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Submissions are rate limited per principal")
class SubmitRateLimitTest {
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
  @DisplayName(
      "past its burst a principal gets 429 with Retry-After in seconds and the standard error"
          + " body; other principals and reads go on")
  void burstExhaustedIs429WithRetryAfter() {
    // Two at once, then one every 100 seconds: the third submission in a row must wait.
    SubmitRate rate = new SubmitRate(0.01, 2);
    JavalinTest.test(
        ApiApp.create(temporal.deps().withSecurity(Bearer.security().withSubmitRate(rate))),
        (server, client) -> {
          Bearer http = new Bearer(client);
          http.submit(Bearer.OPERATOR, Definitions.PIPELINE);
          http.submit(Bearer.OPERATOR, Definitions.PIPELINE);

          Bearer.Reply limited =
              http.post("/api/v1/runs", Bearer.OPERATOR, Definitions.PIPELINE, Http.YAML);

          assertThat(limited.status()).as(limited.text()).isEqualTo(429);
          long retryAfter = Long.parseLong(limited.header("Retry-After"));
          assertThat(retryAfter).isBetween(90L, 100L);
          assertThat(limited.error())
              .isEqualTo(
                  "token 'operator-a' submits faster than this API allows (0.01/s, burst 2): try"
                      + " again in "
                      + retryAfter
                      + "s");
          assertThat(limited.json().path("details").get(0).path("path").asText())
              .isEqualTo("Retry-After");
          // An invalid submission counts too: it costs the server as much to refuse.
          assertThat(
                  http.post("/api/v1/runs", Bearer.OPERATOR, "not: [a definition", Http.YAML)
                      .status())
              .isEqualTo(429);

          assertThat(http.get("/api/v1/runs", Bearer.OPERATOR).status()).isEqualTo(200);
          assertThat(
                  http.post("/api/v1/validate", Bearer.OPERATOR, Definitions.PIPELINE, Http.YAML)
                      .status())
              .isEqualTo(200);
          http.submit(Bearer.OTHER_OPERATOR, Bearer.longPipeline("team-b", "unaffected"));
        });
  }

  @Test
  @DisplayName("with authentication off every caller shares one bucket")
  void withoutAuthenticationOneBucketForAll() {
    JavalinTest.test(
        ApiApp.create(
            temporal
                .deps()
                .withSecurity(
                    io.capstan.api.auth.ApiSecurity.disabled()
                        .withSubmitRate(new SubmitRate(0.01, 1)))),
        (server, client) -> {
          Bearer http = new Bearer(client);
          http.submit(null, Definitions.PIPELINE);

          Bearer.Reply limited =
              http.post("/api/v1/runs", "whatever", Definitions.PIPELINE, Http.YAML);

          assertThat(limited.status()).isEqualTo(429);
          assertThat(limited.error()).startsWith("token 'anonymous' submits faster");
        });
  }
}
