package io.capstan.workflows.job;

import io.capstan.definitions.JobDefinition;
import java.util.LinkedHashMap;
import java.util.Map;

/** The argument of {@link JobWorkflow}: the validated definition and the effective parameters. */
public record JobInput(JobDefinition definition, Map<String, String> params) {
  public JobInput {
    params = params == null ? Map.of() : Map.copyOf(params);
  }

  public static JobInput of(JobDefinition definition, Map<String, String> overrides) {
    var params = new LinkedHashMap<>(definition.spec().params());
    params.putAll(overrides);
    return new JobInput(definition, params);
  }
}
