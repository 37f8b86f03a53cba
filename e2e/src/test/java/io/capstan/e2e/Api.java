package io.capstan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Capstan's HTTP API as a user's client sees it: JSON in and out over plain HTTP. */
final class Api {
  static final String YAML = "application/yaml";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  Api(String base) {
    this.base = base;
  }

  /** An answer of the API; {@link #json()} reads its body. */
  record Response(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON (HTTP " + status + "): " + body, e);
      }
    }

    @Override
    public String toString() {
      return "HTTP " + status + " " + body;
    }
  }

  String base() {
    return base;
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
  }

  Response post(String path, String contentType, String body) {
    return post(path, contentType, body, Map.of());
  }

  Response post(String path, String contentType, String body, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request);
  }

  /** Submits a definition; the test fails unless the API answers 201. */
  JsonNode submit(String yaml) {
    Response response = post("/api/v1/runs", YAML, yaml);
    if (response.status() != 201) {
      throw new AssertionError("submit failed: " + response);
    }
    return response.json();
  }

  /** {@code GET /api/v1/runs/{id}}, which must answer 200. */
  JsonNode run(String id) {
    Response response = get("/api/v1/runs/" + id);
    if (response.status() != 200) {
      throw new AssertionError("GET run " + id + ": " + response);
    }
    return response.json();
  }

  /** Whether the API answers its liveness probe right now. */
  boolean healthy() {
    try {
      return client
              .send(
                  HttpRequest.newBuilder(uri("/healthz")).timeout(Duration.ofSeconds(2)).build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response =
          client.send(
              request.timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
