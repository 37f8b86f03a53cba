package io.capstan.api.auth;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Who sent a request: the name its token was given, its role, and the Capstan namespaces (tenants)
 * it may use. {@code "*"} in the namespaces, or the admin role, means every namespace.
 */
public record Principal(String name, Role role, Set<String> namespaces) {
  /** The namespace entry that stands for every namespace. */
  public static final String ALL_NAMESPACES = "*";

  /** A namespace is a DNS label, as {@code metadata.namespace} of a definition must be. */
  static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /**
   * Everyone, when authentication is off: the API then trusts whoever can reach it, which {@code
   * capstan up} allows only on a loopback address.
   */
  public static final Principal ANONYMOUS =
      new Principal("anonymous", Role.ADMIN, Set.of(ALL_NAMESPACES));

  public Principal {
    namespaces = namespaces == null ? Set.of() : Set.copyOf(namespaces);
  }

  /** Whether this principal sees and acts in every namespace. */
  public boolean allNamespaces() {
    return role == Role.ADMIN || namespaces.contains(ALL_NAMESPACES);
  }

  /** Whether this principal may read and act on runs of {@code namespace}. */
  public boolean mayUse(String namespace) {
    return allNamespaces() || (namespace != null && namespaces.contains(namespace));
  }

  /** Its namespaces for a message: {@code team-a, team-b} or {@code every namespace}. */
  public String namespacesText() {
    return allNamespaces() ? "every namespace" : String.join(", ", new TreeSet<>(namespaces));
  }

  /** Whether {@code namespace} is a valid namespace name. */
  public static boolean isNamespace(String namespace) {
    return namespace != null && NAMESPACE.matcher(namespace).matches();
  }
}
