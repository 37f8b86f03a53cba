package io.capstan.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.testtools.HttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/** Requests against a JavalinTest server, answered as status, text and JSON. */
public final class Http {
  public static final String YAML = "application/yaml";
  public static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient client;

  public Http(HttpClient client) {
    this.client = client;
  }

  /** An answer: its status, raw text, parsed JSON (missing node when not JSON) and headers. */
  public record Answer(int status, String text, JsonNode json, String contentType) {}

  public Answer get(String path) {
    return send(client.get(path));
  }

  public Answer post(String path, String body, String contentType) {
    return post(path, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of());
  }

  public Answer post(String path, byte[] body, String contentType, Map<String, String> headers) {
    return send(
        client.request(
            path,
            (Request.Builder builder) -> {
              builder.post(
                  RequestBody.create(
                      body, contentType == null ? null : MediaType.get(contentType)));
              headers.forEach(builder::header);
            }));
  }

  public Answer request(String path, String method) {
    return send(
        client.request(
            path,
            (Request.Builder builder) ->
                builder.method(
                    method,
                    method.equals("GET") || method.equals("HEAD")
                        ? null
                        : RequestBody.create(new byte[0], null))));
  }

  private static Answer send(Response response) {
    try (response) {
      String text = response.body() == null ? "" : response.body().string();
      JsonNode json;
      try {
        json = text.isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(text);
      } catch (IOException notJson) {
        json = MAPPER.missingNode();
      }
      return new Answer(response.code(), text, json, response.header("Content-Type"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
