package io.capstan.api.auth;

import io.capstan.api.http.ApiException;
import io.capstan.api.http.ErrorDetail;
import io.javalin.http.HttpStatus;
import java.util.List;

/**
 * The caller is known but may not do this: its role is too low, or it names a namespace outside its
 * own. Answered 403. A run or schedule of another namespace is never this, but a 404, so that its
 * existence is not revealed.
 */
public final class ForbiddenException extends ApiException {
  public ForbiddenException(String message, List<ErrorDetail> details) {
    super(HttpStatus.FORBIDDEN, message, details);
  }

  /** {@code token 'alice' may use namespaces team-a; <what was asked>}. */
  public static ForbiddenException namespace(
      Principal principal, String asked, List<ErrorDetail> details) {
    return new ForbiddenException(
        "token '"
            + principal.name()
            + "' may use namespace"
            + (principal.namespaces().size() == 1 ? " " : "s ")
            + principal.namespacesText()
            + "; "
            + asked,
        details);
  }
}
