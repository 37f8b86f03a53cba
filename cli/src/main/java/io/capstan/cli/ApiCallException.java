package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** The API answered with an error status; its {@code {error, details[]}} body is kept. */
final class ApiCallException extends CliException {
  private final int status;
  private final JsonNode body;

  ApiCallException(int status, JsonNode body) {
    super(summary(status, body), 1);
    this.status = status;
    this.body = body;
  }

  int status() {
    return status;
  }

  JsonNode body() {
    return body;
  }

  private static String summary(int status, JsonNode body) {
    String error = body.path("error").asText("");
    if (error.isEmpty()) {
      error = body.isTextual() ? body.asText() : "the API answered " + status;
    }
    return error;
  }
}
