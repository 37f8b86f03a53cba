package io.capstan.definitions.job;

import io.capstan.definitions.Definition;
import io.capstan.definitions.Metadata;

/** A {@code kind: Job} document. */
public record JobDefinition(String apiVersion, String kind, Metadata metadata, JobSpec spec)
    implements Definition {
  public static final String KIND = "Job";
}
