package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.codec.CodecEndpoint;
import io.capstan.codec.AesGcmPayloadCodec;
import io.javalin.Javalin;
import io.javalin.testtools.JavalinTest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code /codec/encode} and {@code /codec/decode} speak Temporal's codec server protocol for the
 * Web UI, behind an operator token, with CORS for the UI's origin.
 */
@DisplayName("The codec server routes")
class CodecRoutesTest {
  /** The Web UI of {@link TestTemporal#INFO}. */
  private static final String UI_ORIGIN = "http://localhost:8233";

  private static TestTemporal temporal;
  private static AesGcmPayloadCodec codec;

  @BeforeAll
  static void start() {
    temporal = TestTemporal.start();
    byte[] key = new byte[AesGcmPayloadCodec.KEY_BYTES];
    new SecureRandom().nextBytes(key);
    codec = AesGcmPayloadCodec.withKey("k1", key);
  }

  @AfterAll
  static void stop() {
    temporal.close();
  }

  private static Javalin api(CodecEndpoint endpoint) {
    return ApiApp.create(temporal.deps().withSecurity(Bearer.security()).withCodec(endpoint));
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  private static final String PLAIN =
      "{\"payloads\": [{\"metadata\": {\"encoding\": \""
          + b64("json/plain")
          + "\"}, \"data\": \""
          + b64("\"rows-database\"")
          + "\"}]}";

  @Test
  @DisplayName("encode then decode gives the payload back; encoded, it is encrypted under key k1")
  void roundTrip() {
    JavalinTest.test(
        api(CodecEndpoint.of(codec)),
        (server, client) -> {
          Bearer http = new Bearer(client);

          Bearer.Reply encoded = http.post("/codec/encode", Bearer.OPERATOR, PLAIN, Http.JSON);
          assertThat(encoded.status()).as(encoded.text()).isEqualTo(200);
          JsonNode sealed = encoded.json().path("payloads").get(0);
          assertThat(text(sealed.path("metadata").path("encoding"))).isEqualTo("binary/encrypted");
          assertThat(text(sealed.path("metadata").path("encryption-key-id"))).isEqualTo("k1");
          assertThat(text(sealed.path("data"))).doesNotContain("rows-database");

          Bearer.Reply decoded =
              http.post("/codec/decode", Bearer.OPERATOR, encoded.text(), Http.JSON);
          assertThat(decoded.status()).as(decoded.text()).isEqualTo(200);
          JsonNode open = decoded.json().path("payloads").get(0);
          assertThat(text(open.path("metadata").path("encoding"))).isEqualTo("json/plain");
          assertThat(text(open.path("data"))).isEqualTo("\"rows-database\"");
        });
  }

  @Test
  @DisplayName(
      "decoding needs an operator: 401 without a token, 403 for a viewer, each with CORS headers"
          + " for the UI so the browser can show why")
  void operatorOnly() {
    JavalinTest.test(
        api(CodecEndpoint.of(codec)),
        (server, client) -> {
          Bearer http = new Bearer(client);
          Map<String, String> fromUi = Map.of("Origin", UI_ORIGIN);

          Bearer.Reply none = http.send("POST", "/codec/decode", null, PLAIN, Http.JSON, fromUi);
          assertThat(none.status()).isEqualTo(401);
          assertThat(none.header("Access-Control-Allow-Origin")).isEqualTo(UI_ORIGIN);

          Bearer.Reply viewer =
              http.send("POST", "/codec/decode", Bearer.VIEWER, PLAIN, Http.JSON, fromUi);
          assertThat(viewer.status()).isEqualTo(403);
          assertThat(viewer.error())
              .isEqualTo("token 'viewer-a' has role viewer; POST /codec/decode needs operator");

          Bearer.Reply operator =
              http.send("POST", "/codec/decode", Bearer.OPERATOR, PLAIN, Http.JSON, fromUi);
          assertThat(operator.status()).isEqualTo(200);
          assertThat(operator.header("Access-Control-Allow-Origin")).isEqualTo(UI_ORIGIN);
          assertThat(operator.header("Access-Control-Allow-Credentials")).isEqualTo("true");
        });
  }

  @Test
  @DisplayName(
      "the preflight of the UI's origin is 204 without a token; another origin gets no CORS"
          + " headers")
  void preflight() {
    JavalinTest.test(
        api(CodecEndpoint.of(codec)),
        (server, client) -> {
          Bearer http = new Bearer(client);
          Map<String, String> preflight =
              Map.of(
                  "Access-Control-Request-Method", "POST",
                  "Access-Control-Request-Headers", "content-type,x-namespace,authorization");

          Bearer.Reply ui =
              http.send(
                  "OPTIONS",
                  "/codec/decode",
                  null,
                  null,
                  null,
                  with(preflight, "Origin", "http://127.0.0.1:8233"));
          assertThat(ui.status()).isEqualTo(204);
          assertThat(ui.header("Access-Control-Allow-Origin")).isEqualTo("http://127.0.0.1:8233");
          assertThat(ui.header("Access-Control-Allow-Methods")).contains("POST");
          assertThat(ui.header("Access-Control-Allow-Headers"))
              .contains("Authorization", "Content-Type", "X-Namespace");

          Bearer.Reply elsewhere =
              http.send(
                  "OPTIONS",
                  "/codec/decode",
                  null,
                  null,
                  null,
                  with(preflight, "Origin", "https://evil.example"));
          assertThat(elsewhere.status()).isEqualTo(403);
          assertThat(elsewhere.header("Access-Control-Allow-Origin")).isNull();
          assertThat(elsewhere.json().path("details").get(0).path("message").asText())
              .contains("allowed: http://localhost:8233, http://127.0.0.1:8233");
        });
  }

  @Test
  @DisplayName("configured origins replace the UI's")
  void configuredOrigins() {
    JavalinTest.test(
        api(new CodecEndpoint(Optional.of(codec), List.of("https://temporal.example.com/"))),
        (server, client) -> {
          Bearer http = new Bearer(client);
          Bearer.Reply configured =
              http.send(
                  "OPTIONS",
                  "/codec/encode",
                  null,
                  null,
                  null,
                  Map.of("Origin", "https://temporal.example.com"));
          Bearer.Reply ui =
              http.send("OPTIONS", "/codec/encode", null, null, null, Map.of("Origin", UI_ORIGIN));

          assertThat(configured.status()).isEqualTo(204);
          assertThat(ui.status()).isEqualTo(403);
        });
  }

  @Test
  @DisplayName("a body that is not codec JSON is 400 saying what is wrong")
  void malformedBody() {
    JavalinTest.test(
        api(CodecEndpoint.of(codec)),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client)
                  .post(
                      "/codec/decode",
                      Bearer.OPERATOR,
                      "{\"payloads\": [{\"data\": 42}]}",
                      Http.JSON);

          assertThat(reply.status()).isEqualTo(400);
          assertThat(reply.error()).isEqualTo("payloads[0].data: must be a base64 string");
        });
  }

  @Test
  @DisplayName("without a codec the routes are 404 saying how to turn encryption on")
  void noCodec() {
    JavalinTest.test(
        api(CodecEndpoint.none()),
        (server, client) -> {
          Bearer.Reply reply =
              new Bearer(client).post("/codec/decode", Bearer.OPERATOR, PLAIN, Http.JSON);

          assertThat(reply.status()).isEqualTo(404);
          assertThat(reply.error())
              .isEqualTo("payload encryption is off, so this Capstan has no codec endpoint");
          assertThat(reply.json().path("details").get(0).path("message").asText())
              .contains("CAPSTAN_CODEC_KEYS");
        });
  }

  private static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> all = new java.util.HashMap<>(headers);
    all.put(name, value);
    return all;
  }
}
