package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The CLI's view of the HTTP API: JSON in, JSON out, an {@link ApiCallException} for every error
 * answer and an {@link ApiUnreachableException} when nothing listens at the address.
 */
final class ApiClient {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final String token;
  private final HttpClient http;

  ApiClient(String base) {
    this(base, null);
  }

  /**
   * @param token the bearer token sent with every request, or null to send none
   */
  ApiClient(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token == null || token.isBlank() ? null : token.strip();
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  }

  String base() {
    return base;
  }

  /** An answer with a 2xx status. */
  record Answer(int status, JsonNode body) {}

  Answer get(String path) {
    return send(request(path).GET());
  }

  Answer post(String path, byte[] body, String contentType, Map<String, String> headers) {
    HttpRequest.Builder request = request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    headers.forEach(request::header);
    return send(request);
  }

  /**
   * GETs {@code path} and streams a 2xx answer's body to {@code sink}, returning its headers; an
   * error answer is read as JSON and thrown as {@link ApiCallException}. The timeout is long: the
   * body may be a 100 MiB output.
   */
  HttpHeaders download(String path, OutputStream sink) {
    HttpRequest.Builder request = request(path).timeout(DOWNLOAD_TIMEOUT).GET();
    request.setHeader("Accept", "text/plain, application/json");
    return exchange(
        request,
        HttpResponse.BodyHandlers.ofInputStream(),
        response -> {
          try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
              throw new ApiCallException(
                  response.statusCode(),
                  parse(new String(body.readAllBytes(), StandardCharsets.UTF_8)));
            }
            body.transferTo(sink);
          }
          return response.headers();
        });
  }

  Answer delete(String path) {
    return send(request(path).DELETE());
  }

  /** {@code path?name=value&...} with both parts encoded; null values are left out. */
  static String withQuery(String path, Map<String, String> query) {
    StringJoiner joined = new StringJoiner("&");
    query.forEach(
        (name, value) -> {
          if (value != null) {
            joined.add(encode(name) + "=" + encode(value));
          }
        });
    return joined.length() == 0 ? path : path + "?" + joined;
  }

  /** One path segment, such as a run id typed by a person. */
  static String segment(String value) {
    return encode(value).replace("+", "%20");
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private HttpRequest.Builder request(String path) {
    URI uri;
    try {
      uri = URI.create(base + path);
    } catch (IllegalArgumentException e) {
      throw new CliException("invalid API address '" + base + "': " + e.getMessage(), 2);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  private Answer send(HttpRequest.Builder request) {
    return exchange(
        request,
        HttpResponse.BodyHandlers.ofString(),
        response -> {
          JsonNode body = parse(response.body());
          if (response.statusCode() / 100 != 2) {
            throw new ApiCallException(response.statusCode(), body);
          }
          return new Answer(response.statusCode(), body);
        });
  }

  /** What reads an answer; it may fail with I/O while it reads a streamed body. */
  @FunctionalInterface
  private interface Reader<B, T> {
    T read(HttpResponse<B> response) throws IOException;
  }

  /**
   * Sends {@code request} and reads the answer with {@code reader}, turning every way the exchange
   * can fail into the CLI's exceptions: nothing listens, the connection broke, an interrupt, a bad
   * address.
   */
  private <B, T> T exchange(
      HttpRequest.Builder request, HttpResponse.BodyHandler<B> handler, Reader<B, T> reader) {
    try {
      return reader.read(http.send(request.build(), handler));
    } catch (ConnectException | HttpConnectTimeoutException e) {
      throw new ApiUnreachableException(base, e);
    } catch (IOException e) {
      if (e.getCause() instanceof ConnectException
          || e.getCause() instanceof UnresolvedAddressException) {
        throw new ApiUnreachableException(base, e);
      }
      throw new CliException("the request to " + base + " failed: " + e.getMessage(), 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", 130);
    } catch (IllegalArgumentException e) {
      throw new CliException("invalid API address '" + base + "': " + e.getMessage(), 2);
    }
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return JSON.getNodeFactory().textNode(body);
    }
  }
}
