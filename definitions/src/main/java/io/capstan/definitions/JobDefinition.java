package io.capstan.definitions;

import io.capstan.definitions.job.JobSpec;

/** A {@code kind: Job} document. */
public record JobDefinition(String apiVersion, String kind, Metadata metadata, JobSpec spec)
    implements Definition {
  public static final String KIND = "Job";
}
