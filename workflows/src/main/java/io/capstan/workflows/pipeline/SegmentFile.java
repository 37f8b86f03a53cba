package io.capstan.workflows.pipeline;

import io.capstan.definitions.PipelineDefinition;
import java.util.Map;

/**
 * What the store holds for one segment: the pipeline's definition with only the segment's tasks
 * (their {@code dependsOn} still name tasks of other segments), and which segment holds each of
 * those other tasks.
 */
public record SegmentFile(PipelineDefinition definition, Map<String, Integer> owners) {
  public SegmentFile {
    owners = owners == null ? Map.of() : Map.copyOf(owners);
  }
}
