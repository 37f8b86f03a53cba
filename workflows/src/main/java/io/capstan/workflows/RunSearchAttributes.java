package io.capstan.workflows;

import io.temporal.common.SearchAttributeKey;
import java.util.List;

/**
 * The search attributes every Capstan run carries, so runs can be filtered in the Web UI, with
 * {@code temporal workflow list --query} and by the API. The server must have them registered
 * before a run uses them: {@code capstan up} registers {@link #ALL} at start, and the
 * docker-compose setup registers the same names and types.
 */
public final class RunSearchAttributes {
  /** The definition's kind: Pipeline, Job. */
  public static final SearchAttributeKey<String> KIND =
      SearchAttributeKey.forKeyword("CapstanKind");

  /** The definition's {@code metadata.name}. */
  public static final SearchAttributeKey<String> NAME =
      SearchAttributeKey.forKeyword("CapstanName");

  /** The definition's {@code metadata.namespace}: the tenant. */
  public static final SearchAttributeKey<String> NAMESPACE =
      SearchAttributeKey.forKeyword("CapstanNamespace");

  /** The definition's labels, each as {@code key=value}. */
  public static final SearchAttributeKey<List<String>> LABELS =
      SearchAttributeKey.forKeywordList("CapstanLabels");

  /** Every key above, for registration. */
  public static final List<SearchAttributeKey<?>> ALL = List.of(KIND, NAME, NAMESPACE, LABELS);

  private RunSearchAttributes() {}
}
