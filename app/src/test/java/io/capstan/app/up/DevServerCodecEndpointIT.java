package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.testkit.FreePorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * With payload encryption on, the dev server up starts points its Web UI at the API's codec
 * endpoint, and the endpoint answers the UI's CORS preflight, so the UI shows decrypted payloads.
 */
@DisplayName("The dev server's Web UI decodes through the API's codec endpoint")
class DevServerCodecEndpointIT {
  @Test
  @DisplayName(
      "the dev server gets --ui-codec-endpoint http://127.0.0.1:PORT/codec, and the UI's origin"
          + " passes the preflight")
  void uiIsPointedAtTheCodecEndpoint() throws Exception {
    int apiPort = FreePorts.next();
    int uiPort = FreePorts.next();
    Path state =
        Path.of("target", "capstan-codec-dev-server-test", Long.toString(System.nanoTime()))
            .toAbsolutePath();
    try (CapstanRuntime runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    apiPort, FreePorts.next(), uiPort, state, TemporalBinary.require()),
                Map.of("CAPSTAN_CODEC_KEYS", "k1:" + RuntimeSecurityTest.KEY_1))
            .start()) {
      String endpoint = "http://127.0.0.1:" + apiPort + "/codec";

      assertThat(runtime.devServer().orElseThrow().command())
          .containsSequence("--ui-codec-endpoint", endpoint);
      assertThat(UpCommand.banner(runtime)).contains("codec endpoint " + endpoint);
      HttpResponse<String> preflight =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(endpoint + "/decode"))
                      .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                      .header("Origin", "http://127.0.0.1:" + uiPort)
                      .header("Access-Control-Request-Method", "POST")
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
          .contains("http://127.0.0.1:" + uiPort);
    }
  }
}
