package io.capstan.api.auth;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.Header;
import io.javalin.http.HttpStatus;
import java.util.List;
import java.util.Map;

/**
 * A request without a usable bearer token: answered 401 with {@code WWW-Authenticate: Bearer
 * realm="capstan"}.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc6750#section-3">RFC 6750, section 3</a>
 */
public final class UnauthenticatedException extends ApiException {
  /**
   * @param fix what the caller should do about it
   * @param invalidToken whether a token was sent: RFC 6750 then adds {@code error} to the challenge
   */
  UnauthenticatedException(String message, String fix, boolean invalidToken) {
    super(
        HttpStatus.UNAUTHORIZED,
        message,
        List.of(ErrorDetail.at("Authorization", fix)),
        Map.of(
            Header.WWW_AUTHENTICATE,
            invalidToken
                ? "Bearer realm=\"capstan\", error=\"invalid_token\""
                : "Bearer realm=\"capstan\""));
  }
}
