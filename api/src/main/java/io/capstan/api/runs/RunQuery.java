package io.capstan.api.runs;

import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.workflows.RunSearchAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Temporal visibility queries for run listings, e.g. {@code CapstanKind = 'Pipeline' AND
 * CapstanNamespace = 'team-a' AND ExecutionStatus = 'Running'}.
 *
 * <p>Values typed by a person (a namespace, a schedule id) go into the query only when they consist
 * of letters, digits, {@code .}, {@code _} and {@code -}: such a value cannot close its quotes, so
 * no filter can widen or rewrite the query. Kinds and statuses come from fixed sets.
 */
public final class RunQuery {
  /** The characters a free-text filter value may hold; every Capstan name and id fits. */
  static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9._-]{1,255}");

  /** Temporal's own search attribute naming the schedule that started a workflow. */
  static final String SCHEDULED_BY = "TemporalScheduledById";

  private RunQuery() {}

  /**
   * The query for a filter. Without a kind it covers every kind Capstan runs; without a status it
   * leaves out continued-as-new executions, each of which is followed by the run's latest one. A
   * scope becomes {@code CapstanNamespace IN (...)}, so the server itself leaves out other tenants'
   * runs; a filter whose scope is empty must not be queried at all.
   */
  public static String of(RunFilter filter) {
    if (filter.excludesEverything()) {
      throw new IllegalArgumentException("a filter with an empty scope matches no run");
    }
    List<String> terms = new ArrayList<>();
    String kindAttribute = RunSearchAttributes.KIND.getName();
    terms.add(
        filter
            .kind()
            .map(k -> kindAttribute + " = " + quote(k.kindName()))
            .orElseGet(
                () ->
                    Arrays.stream(RunKind.values())
                        .map(k -> quote(k.kindName()))
                        .collect(Collectors.joining(", ", kindAttribute + " IN (", ")"))));
    filter
        .namespace()
        .ifPresent(
            ns ->
                terms.add(
                    RunSearchAttributes.NAMESPACE.getName()
                        + " = "
                        + quote(safeValue("namespace", ns))));
    filter
        .scope()
        .ifPresent(
            allowed ->
                terms.add(
                    allowed.stream()
                        .sorted()
                        .map(ns -> quote(safeValue("namespace", ns)))
                        .collect(
                            Collectors.joining(
                                ", ", RunSearchAttributes.NAMESPACE.getName() + " IN (", ")"))));
    filter
        .schedule()
        .ifPresent(id -> terms.add(SCHEDULED_BY + " = " + quote(safeValue("schedule", id))));
    terms.add(
        filter
            .status()
            .map(s -> "ExecutionStatus = " + quote(s.visibilityName()))
            .orElse("ExecutionStatus != 'ContinuedAsNew'"));
    return String.join(" AND ", terms);
  }

  /**
   * The value, when it is safe to quote.
   *
   * @throws UnprocessableException naming the parameter otherwise
   */
  public static String safeValue(String parameter, String value) {
    if (value == null || !SAFE_VALUE.matcher(value).matches()) {
      throw new UnprocessableException(
          "invalid " + parameter + " filter",
          List.of(
              ErrorDetail.at(
                  parameter,
                  "use only letters, digits, '.', '_' and '-' (at most 255), not '"
                      + value
                      + "'")));
    }
    return value;
  }

  private static String quote(String safe) {
    return "'" + safe + "'";
  }
}
