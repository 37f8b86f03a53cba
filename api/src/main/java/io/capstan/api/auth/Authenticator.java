package io.capstan.api.auth;

import io.capstan.api.http.ErrorDetail;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The API's before-handler: decides who sent a request and whether that role may make it, before
 * any route runs, so an unauthenticated or unauthorized request never reaches a controller.
 *
 * <p>Open without a token: {@code /healthz}, {@code /api/v1/openapi.json}, {@code /metrics} unless
 * it is protected, and the CORS preflight ({@code OPTIONS}) of the codec routes. Every other path,
 * unknown ones included, needs a token when authentication is on. A read ({@code GET}, {@code
 * HEAD}) needs a viewer, anything else an operator, a protected {@code /metrics} an admin.
 * Submissions are then counted against the principal's rate.
 */
public final class Authenticator {
  static final String PRINCIPAL_ATTRIBUTE = "capstan.principal";
  static final String BEARER = "bearer ";
  public static final String METRICS_PATH = "/metrics";
  public static final String OPENAPI_PATH = "/api/v1/openapi.json";
  public static final String CODEC_PATH = "/codec";
  static final String SUBMIT_PATH = "/api/v1/runs";
  private static final Set<String> OPEN = Set.of("/healthz", OPENAPI_PATH);

  /**
   * Whoever a request reaches a controller without: nobody, with no namespace. Every routed path
   * passes through {@link #handle}, so this is only a safeguard that fails closed.
   */
  static final Principal NOBODY = new Principal("nobody", Role.VIEWER, Set.of());

  private final ApiSecurity security;
  private final SubmitRateLimiter limiter;

  public Authenticator(ApiSecurity security) {
    this(security, new SubmitRateLimiter(security.submitRate()));
  }

  public Authenticator(ApiSecurity security, SubmitRateLimiter limiter) {
    this.security = security;
    this.limiter = limiter;
  }

  /** The principal {@link #handle} found for this request. */
  public static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL_ATTRIBUTE);
    return principal != null ? principal : NOBODY;
  }

  public void handle(Context ctx) {
    String path = normalized(ctx.path());
    if (isOpen(path) || (ctx.method() == HandlerType.OPTIONS && isCodec(path))) {
      return;
    }
    Principal principal = security.enabled() ? authenticate(ctx) : Principal.ANONYMOUS;
    Role needed = requiredRole(ctx.method(), path);
    if (!principal.role().includes(needed)) {
      throw new ForbiddenException(
          "token '"
              + principal.name()
              + "' has role "
              + principal.role().label()
              + "; "
              + ctx.method()
              + " "
              + path
              + " needs "
              + needed.label(),
          List.of(
              ErrorDetail.at(
                  "Authorization", "use a token with role " + needed.label() + " or higher")));
    }
    ctx.attribute(PRINCIPAL_ATTRIBUTE, principal);
    if (ctx.method() == HandlerType.POST && path.equals(SUBMIT_PATH)) {
      limiter
          .acquire(principal.name())
          .ifPresent(
              wait -> {
                throw new RateLimitedException(principal.name(), limiter.rate(), wait);
              });
    }
  }

  private boolean isOpen(String path) {
    return OPEN.contains(path) || (path.equals(METRICS_PATH) && !security.metricsProtected());
  }

  static final String GPU_PATH = "/api/v1/gpu";

  static boolean isCodec(String path) {
    return path.equals(CODEC_PATH) || path.startsWith(CODEC_PATH + "/");
  }

  private static Role requiredRole(HandlerType method, String path) {
    if (path.equals(METRICS_PATH) || path.equals(GPU_PATH) || path.startsWith(GPU_PATH + "/")) {
      // The GPU fleet is every namespace's: its leases name other tenants' runs.
      return Role.ADMIN;
    }
    return method == HandlerType.GET || method == HandlerType.HEAD ? Role.VIEWER : Role.OPERATOR;
  }

  private Principal authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new UnauthenticatedException(
          "authentication required: send the header Authorization: Bearer <token>",
          "the capstan CLI sends $CAPSTAN_TOKEN (or --token); ask this API's operator for a token",
          false);
    }
    String value = header.trim();
    if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
      throw new UnauthenticatedException(
          "the Authorization header is not a bearer token",
          "send Authorization: Bearer <token>",
          true);
    }
    String token = value.substring(BEARER.length()).trim();
    Optional<Principal> principal =
        token.isEmpty() ? Optional.empty() : security.tokens().resolve(token);
    return principal.orElseThrow(
        () ->
            new UnauthenticatedException(
                "the bearer token is not valid",
                "it matches no token this API knows: check $CAPSTAN_TOKEN, or ask for a new one",
                true));
  }

  /** The path without a trailing slash, as Javalin matches routes. */
  static String normalized(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }
}
