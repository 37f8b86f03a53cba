package io.capstan.api.codec;

import io.capstan.api.http.ErrorBody;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.RequestBodies;
import io.capstan.codec.CodecServer;
import io.javalin.http.Context;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /codec/encode} and {@code POST /codec/decode}: Temporal's codec server protocol, so
 * the Web UI (started with {@code --ui-codec-endpoint http://<api>/codec}) can show payloads
 * Capstan encrypted. The browser calls them from the UI's origin, so they answer CORS for the
 * allowed origins, preflight included; authentication (an operator token) is checked like any other
 * route's.
 */
public final class CodecController {
  /** The codec routes under this path: {@code /codec/encode}, {@code /codec/decode}. */
  public static final String PATH = "/codec";

  static final String ALLOWED_METHODS = "POST, OPTIONS";
  static final String ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace";
  static final String PREFLIGHT_MAX_AGE = "600";
  static final String ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials";

  private final Optional<CodecServer> server;
  private final Set<String> origins;

  public CodecController(CodecEndpoint endpoint, String temporalUi) {
    this.server = endpoint.codec().map(CodecServer::new);
    this.origins = endpoint.originsFor(temporalUi);
  }

  /**
   * A before-handler for the codec paths: adds the CORS headers an allowed origin needs, ahead of
   * authentication, so that a browser can read a 401 or 403 as well as a success.
   */
  public void cors(Context ctx) {
    String origin = ctx.header(Header.ORIGIN);
    if (origin != null && origins.contains(origin)) {
      ctx.header(Header.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
      ctx.header(ALLOW_CREDENTIALS, "true");
    }
    ctx.header(Header.VARY, Header.ORIGIN);
  }

  /** {@code OPTIONS /codec/*}: the CORS preflight, answered without authentication. */
  public void preflight(Context ctx) {
    String origin = ctx.header(Header.ORIGIN);
    if (origin == null || !origins.contains(origin)) {
      ctx.status(HttpStatus.FORBIDDEN)
          .json(
              new ErrorBody(
                  "origin "
                      + (origin == null ? "(none)" : "'" + origin + "'")
                      + " may not call the codec endpoint",
                  List.of(
                      ErrorDetail.at(
                          "Origin",
                          origins.isEmpty()
                              ? "no origin is allowed: start Capstan with --codec-origin URL (the"
                                  + " Web UI's address)"
                              : "allowed: "
                                  + String.join(", ", origins)
                                  + " (--codec-origin adds others)"))));
      return;
    }
    ctx.header(Header.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
    ctx.header(Header.ACCESS_CONTROL_ALLOW_HEADERS, ALLOWED_HEADERS);
    ctx.header(Header.ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE);
    ctx.status(HttpStatus.NO_CONTENT);
  }

  /** {@code POST /codec/encode}. */
  public void encode(Context ctx) {
    answer(ctx, true);
  }

  /** {@code POST /codec/decode}. */
  public void decode(Context ctx) {
    answer(ctx, false);
  }

  private void answer(Context ctx, boolean encode) {
    if (server.isEmpty()) {
      ctx.status(HttpStatus.NOT_FOUND)
          .json(
              new ErrorBody(
                  "payload encryption is off, so this Capstan has no codec endpoint",
                  List.of(
                      ErrorDetail.at(
                          "CAPSTAN_CODEC_KEYS",
                          "start Capstan with CAPSTAN_CODEC_KEYS (and CAPSTAN_CODEC_ACTIVE_KEY) set"
                              + " to encrypt payloads and serve "
                              + PATH))));
      return;
    }
    String body = RequestBodies.readText(ctx);
    String answer = encode ? server.get().encode(body) : server.get().decode(body);
    ctx.contentType("application/json").result(answer);
  }
}
