package io.capstan.api;

/** Definitions the API tests submit, inline so each test shows what it sends. */
public final class Definitions {
  /** Two simulated tasks; {@code load} uses the output of {@code extract} and a param. */
  public static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: nightly-etl, namespace: team-a}
      spec:
        params: {source: database}
        tasks:
          - name: extract
            simulate: {output: "rows-#{params.source}"}
          - name: load
            dependsOn: [extract]
            simulate: {output: "loaded #{extract.output}"}
      """;

  /** A pipeline whose single task takes a minute: long enough to signal and cancel it. */
  public static final String SLOW_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: slow}
      spec:
        tasks:
          - name: crunch
            simulate: {duration: 60s, output: done}
          - name: report
            dependsOn: [crunch]
            simulate: {output: reported}
      """;

  public static final String JOB =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: backup}
      spec:
        simulate: {output: saved}
      """;

  /** Valid, but its second task runs in a container, which no worker of these tests serves. */
  public static final String CONTAINER_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: with-container}
      spec:
        tasks:
          - name: extract
            simulate: {output: rows}
          - name: transform
            dependsOn: [extract]
            container:
              image: data-transformer:1.4
              command: [transform]
      """;

  private Definitions() {}
}
