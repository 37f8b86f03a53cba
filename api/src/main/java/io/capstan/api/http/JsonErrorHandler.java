package io.capstan.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's answers to requests that never reach Javalin (a request line or headers above Jetty's
 * limits, a request it cannot parse) in the API's own {@code {error, details[]}} body instead of an
 * HTML page, so that every refusal says what to fix.
 */
public final class JsonErrorHandler extends ErrorHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The largest request line and header block Jetty accepts, as configured by the API. */
  private final int headerLimit;

  public JsonErrorHandler(int headerLimit) {
    this.headerLimit = headerLimit;
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return ByteBuffer.wrap(body(status, reason));
  }

  @Override
  public void handle(
      String target, Request baseRequest, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    baseRequest.setHandled(true);
    Object message = request.getAttribute("jakarta.servlet.error.message");
    byte[] body = body(response.getStatus(), message == null ? null : message.toString());
    response.setContentType("application/json");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  byte[] body(int status, String reason) {
    ErrorBody body =
        switch (status) {
          case HttpStatus.URI_TOO_LONG_414 ->
              new ErrorBody(
                  "the request line is longer than the limit of " + headerLimit + " bytes",
                  List.of(
                      ErrorDetail.at(
                          "query",
                          "send long values in the body, not the query; a param override is"
                              + " a short value")));
          case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 ->
              new ErrorBody(
                  "the request headers are larger than the limit of " + headerLimit + " bytes",
                  List.of(ErrorDetail.at("headers", "send fewer or shorter headers")));
          default ->
              new ErrorBody(
                  "the request could not be read"
                      + (reason == null || reason.isBlank() ? "" : ": " + reason),
                  List.of(
                      ErrorDetail.at(
                          "request",
                          "send a well-formed HTTP/1.1 request (status "
                              + status
                              + " "
                              + HttpStatus.getMessage(status)
                              + ")")));
        };
    try {
      return JSON.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      // Two strings and a list of records always serialise.
      return ("{\"error\":\"HTTP " + status + "\",\"details\":[]}")
          .getBytes(StandardCharsets.UTF_8);
    }
  }
}
