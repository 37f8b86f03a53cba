package io.capstan.workflows.pipeline;

import java.util.List;

/** How a large pipeline's tasks are cut into segments; see {@link SegmentPlanner}. */
public record SegmentPlan(List<Segment> segments) {
  public SegmentPlan {
    segments = segments == null ? List.of() : List.copyOf(segments);
  }
}
