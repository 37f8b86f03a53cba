package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.fuzz.BillionLaughs;
import io.javalin.testtools.JavalinTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Requests no client should send")
class HostileRequestsTest {
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
  @DisplayName("malformed percent-encoding, odd paths and long ids never make the API answer 500")
  void malformedRequestsAreClientErrors() {
    String[] paths = {
      "/api/v1/runs?status=%zz",
      "/api/v1/runs?param.x=%",
      "/api/v1/runs/%zz",
      "/api/v1/runs/pipeline-default-x-abcd1234%00",
      "/api/v1/runs/" + "a".repeat(5000),
      "/api/v1/runs/pipeline-default-x-abcd1234/signals/%ff",
      "/api/v1/runs//cancel",
      "/api/v1//runs",
    };
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          int port = URI.create(client.getOrigin()).getPort();
          for (String path : paths) {
            for (String method : new String[] {"GET", "POST"}) {
              String response = raw(port, method, path, "x: 1");
              assertThat(statusOf(response))
                  .as(method + " " + path + " -> " + response)
                  .isBetween(200, 499);
            }
          }
        });
  }

  @Test
  @DisplayName(
      "a billion-laughs document sent to submit and validate is a 422 naming the limit, in well"
          + " under a second")
  void aBillionLaughsBodyIsRefusedFast() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          int port = URI.create(client.getOrigin()).getPort();
          // The first request pays for class loading; the limit is about the input.
          raw(port, "POST", "/api/v1/validate", "kind: Job");
          raw(port, "POST", "/api/v1/runs", "kind: Job");
          for (String path : new String[] {"/api/v1/runs", "/api/v1/validate"}) {
            long start = System.nanoTime();
            String response = raw(port, "POST", path, BillionLaughs.JOB);
            long millis = (System.nanoTime() - start) / 1_000_000;

            assertThat(statusOf(response)).as(path + " -> " + response).isEqualTo(422);
            assertThat(response)
                .contains("the definition exceeds a safety limit")
                .containsIgnoringCase("alias");
            assertThat(millis).as(path + " answered in ms").isLessThan(1000);
          }
        });
  }

  /**
   * Sends a request exactly as written, which {@link URI}-based clients refuse to do for malformed
   * paths, and returns the whole response.
   */
  static String raw(int port, String method, String path, String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          (method
                  + " "
                  + path
                  + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/yaml\r\n"
                  + "Content-Length: "
                  + content.length
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int statusOf(String response) {
    String[] statusLine = response.split("\r\n", 2)[0].split(" ");
    return statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
  }
}
