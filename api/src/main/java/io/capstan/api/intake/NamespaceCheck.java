package io.capstan.api.intake;

import com.fasterxml.jackson.core.JsonPointer;
import io.capstan.api.auth.ForbiddenException;
import io.capstan.api.auth.Principal;
import io.capstan.api.http.ErrorDetail;
import io.capstan.definitions.Definition;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A caller submits and validates only in its own namespaces: every document's {@code
 * metadata.namespace} must be one of them, or the whole request is refused (403) and nothing
 * starts.
 */
public final class NamespaceCheck {
  private static final JsonPointer NAMESPACE = JsonPointer.compile("/metadata/namespace");

  private NamespaceCheck() {}

  /**
   * @throws ForbiddenException naming each document whose namespace the principal may not use
   */
  public static void requireAllowed(Submission submission, Principal principal) {
    List<Definition> definitions = submission.definitions();
    List<Integer> refusedDocuments = new ArrayList<>();
    Set<String> refused = new LinkedHashSet<>();
    for (int d = 0; d < definitions.size(); d++) {
      String namespace = definitions.get(d).metadata().namespace();
      if (!principal.mayUse(namespace)) {
        refusedDocuments.add(d);
        refused.add(namespace);
      }
    }
    if (refused.isEmpty()) {
      return;
    }
    Set<SourceLocator.Key> keys = new LinkedHashSet<>();
    refusedDocuments.forEach(d -> keys.add(new SourceLocator.Key(d, NAMESPACE)));
    Map<SourceLocator.Key, SourceLocator.Position> positions =
        SourceLocator.locateAll(submission.text(), keys);
    List<ErrorDetail> details = new ArrayList<>();
    for (int d : refusedDocuments) {
      String namespace = definitions.get(d).metadata().namespace();
      String path = (definitions.size() > 1 ? "documents[" + d + "]." : "") + "metadata.namespace";
      SourceLocator.Position at = positions.get(new SourceLocator.Key(d, NAMESPACE));
      details.add(
          new ErrorDetail(
              path,
              at == null ? null : at.line(),
              at == null ? null : at.column(),
              (at == null ? "not set, so '" + namespace + "'; " : "")
                  + "set it to "
                  + (principal.namespaces().size() == 1 ? "" : "one of ")
                  + principal.namespacesText()
                  + ", or use a token of namespace "
                  + namespace));
    }
    throw ForbiddenException.namespace(
        principal,
        (definitions.size() == 1 ? "this definition is in " : "definitions are in ")
            + String.join(", ", refused),
        details);
  }
}
