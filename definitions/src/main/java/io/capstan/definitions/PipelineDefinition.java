package io.capstan.definitions;

import io.capstan.definitions.pipeline.PipelineSpec;

/** A {@code kind: Pipeline} document. */
public record PipelineDefinition(
    String apiVersion, String kind, Metadata metadata, PipelineSpec spec) implements Definition {
  public static final String KIND = "Pipeline";
}
