package io.capstan.definitions.pipeline;

import io.capstan.definitions.Definition;
import io.capstan.definitions.Metadata;

/** A {@code kind: Pipeline} document. */
public record PipelineDefinition(
    String apiVersion, String kind, Metadata metadata, PipelineSpec spec) implements Definition {
  public static final String KIND = "Pipeline";
}
