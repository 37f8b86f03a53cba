package io.capstan.activities.kube;

import java.util.regex.Pattern;

/**
 * How a Capstan namespace ({@code metadata.namespace}, the tenant) becomes the Kubernetes namespace
 * its Jobs run in: a template in which {@code {namespace}} stands for the Capstan namespace, such
 * as {@code {namespace}} (the default: the same name) or {@code capstan-{namespace}}. Capstan
 * namespaces are DNS labels already; the result must be one too (at most 63 characters).
 */
public record NamespaceMapping(String template) {
  // First: the constructor of IDENTITY below uses it.
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  /** The placeholder for the Capstan namespace. */
  public static final String PLACEHOLDER = "{namespace}";

  /** The default: each Capstan namespace is the Kubernetes namespace of the same name. */
  public static final NamespaceMapping IDENTITY = new NamespaceMapping(PLACEHOLDER);

  public NamespaceMapping {
    if (template == null || template.isBlank()) {
      template = PLACEHOLDER;
    }
    String sample = template.replace(PLACEHOLDER, "a");
    if (!DNS_LABEL.matcher(sample).matches()) {
      throw new IllegalArgumentException(
          "the Kubernetes namespace template '"
              + template
              + "' does not give a DNS label (lowercase letters, digits and '-'); use e.g. "
              + "'{namespace}' or 'capstan-{namespace}'");
    }
  }

  /**
   * The Kubernetes namespace of {@code namespace}.
   *
   * @throws IllegalArgumentException when the result is not a DNS label (too long), naming both
   */
  public String apply(String namespace) {
    String mapped = template.replace(PLACEHOLDER, namespace);
    if (!DNS_LABEL.matcher(mapped).matches()) {
      throw new IllegalArgumentException(
          "Capstan namespace '"
              + namespace
              + "' maps to '"
              + mapped
              + "' under the template '"
              + template
              + "', which is not a Kubernetes namespace name (a DNS label of at most 63 characters)");
    }
    return mapped;
  }
}
