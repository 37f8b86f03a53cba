package io.capstan.api.http;

import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;

/**
 * A refusal the API answers itself: an HTTP status, the one-line {@code error} of the body, the
 * {@code details} a person acts on and any headers the status calls for ({@code Retry-After},
 * {@code WWW-Authenticate}). Each domain error is a named subclass that fixes its status, so one
 * mapper answers them all and a handler only says which refusal it is.
 */
public abstract class ApiException extends RuntimeException {
  private final HttpStatus status;
  private final List<ErrorDetail> details;
  private final Map<String, String> headers;

  protected ApiException(HttpStatus status, String message, List<ErrorDetail> details) {
    this(status, message, details, Map.of());
  }

  protected ApiException(
      HttpStatus status, String message, List<ErrorDetail> details, Map<String, String> headers) {
    super(message);
    this.status = status;
    this.details = List.copyOf(details);
    this.headers = Map.copyOf(headers);
  }

  public HttpStatus status() {
    return status;
  }

  public List<ErrorDetail> details() {
    return details;
  }

  /**
   * The details as an API whose Temporal frontend is {@code temporal} answers them. Only a refusal
   * that blames the server names it (whoever throws it may not know the address); the others answer
   * {@link #details()}.
   *
   * @param temporal the frontend's host:port, or words that stand for it when it is not known
   */
  public List<ErrorDetail> details(String temporal) {
    return details;
  }

  /** The response headers the status calls for; empty for most. */
  public Map<String, String> headers() {
    return headers;
  }
}
