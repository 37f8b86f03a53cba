package io.capstan.api.runs;

/** Who a run is: its id and the kind, name and namespace of the definition it runs. */
public record RunRef(String id, RunKind kind, String name, String namespace) {
  /** Memo keys under which a run records its identity, readable in the Temporal Web UI too. */
  public static final String MEMO_KIND = "capstanKind";

  public static final String MEMO_NAME = "capstanName";
  public static final String MEMO_NAMESPACE = "capstanNamespace";
}
