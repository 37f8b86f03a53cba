package io.capstan.api.auth;

/**
 * A request without a usable bearer token: answered 401 with {@code WWW-Authenticate: Bearer
 * realm="capstan"}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6750#section-3">RFC 6750, section 3</a>
 */
public final class UnauthenticatedException extends RuntimeException {
  private final String fix;
  private final boolean invalidToken;

  UnauthenticatedException(String message, String fix, boolean invalidToken) {
    super(message);
    this.fix = fix;
    this.invalidToken = invalidToken;
  }

  /** What the caller should do about it. */
  public String fix() {
    return fix;
  }

  /** The {@code WWW-Authenticate} challenge: RFC 6750 adds {@code error} when a token was sent. */
  public String challenge() {
    return invalidToken
        ? "Bearer realm=\"capstan\", error=\"invalid_token\""
        : "Bearer realm=\"capstan\"";
  }
}
