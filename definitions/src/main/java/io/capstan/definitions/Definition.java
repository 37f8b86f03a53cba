package io.capstan.definitions;

/**
 * A parsed and validated Capstan document. The kinds are closed: each is a record permitted here
 * and registered in {@link DefinitionKinds}, so a switch over the kinds is checked by the compiler.
 * The records live in this package because a sealed type on the class path may only permit subtypes
 * of its own package; each kind's spec, rules and plan live in the kind's package.
 */
public sealed interface Definition
    permits PipelineDefinition, JobDefinition, ClusterDefinition, RollingUpdateDefinition {
  String API_VERSION = "capstan.io/v1";

  String apiVersion();

  String kind();

  Metadata metadata();
}
