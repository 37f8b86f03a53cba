package io.capstan.workflows.fake;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.workflows.pipeline.PipelineSegmentActivities;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.Segment;
import io.capstan.workflows.pipeline.SegmentFile;
import io.capstan.workflows.pipeline.SegmentInputs;
import io.capstan.workflows.pipeline.SegmentPlan;
import io.capstan.workflows.pipeline.SegmentPlanner;
import io.capstan.workflows.pipeline.SegmentRef;
import io.capstan.workflows.pipeline.SegmentWork;
import io.capstan.workflows.pipeline.SegmentedTasks;
import io.capstan.workflows.pipeline.StoredJson;
import io.temporal.client.WorkflowClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The segment activities over an in-memory store, for recording histories: the same planner and
 * inputs as the real ones (the activities module's), queries of the segments included.
 */
public final class FakeSegmentActivities implements PipelineSegmentActivities {
  private final Map<String, byte[]> store = new ConcurrentHashMap<>();
  private final Supplier<WorkflowClient> client;

  public FakeSegmentActivities(Supplier<WorkflowClient> client) {
    this.client = client;
  }

  /** Stores {@code pipeline} as the API does and returns what the run's input names. */
  public SegmentedTasks store(PipelineDefinition pipeline, int segmentTasks) {
    byte[] json = StoredJson.write(pipeline);
    String sha256 = StoredJson.sha256(json);
    store.put("definitions/" + sha256, json);
    return new SegmentedTasks(
        "definitions/" + sha256, sha256, pipeline.spec().tasks().size(), segmentTasks);
  }

  @Override
  public SegmentPlan plan(String runId, SegmentedTasks tasks) {
    PipelineDefinition definition =
        StoredJson.read(store.get(tasks.key()), PipelineDefinition.class);
    PipelineSpec spec = definition.spec();
    SegmentPlanner.Cut cut =
        SegmentPlanner.cut(
            spec.tasks(), tasks.segmentTasks(), SegmentPlanner.SEGMENT_BYTES, t -> 100);
    List<Segment> segments = new ArrayList<>();
    for (int s = 0; s < cut.segments().size(); s++) {
      byte[] file = StoredJson.write(SegmentPlanner.file(definition, cut, s));
      String sha256 = StoredJson.sha256(file);
      store.put("definitions/" + sha256, file);
      segments.add(
          new Segment(
              s,
              "definitions/" + sha256,
              sha256,
              cut.segments().get(s).size(),
              SegmentPlanner.dependencies(cut, s)));
    }
    return new SegmentPlan(segments);
  }

  @Override
  public SegmentWork prepare(SegmentRef segment) {
    SegmentFile file = StoredJson.read(store.get(segment.key()), SegmentFile.class);
    return SegmentInputs.resolve(
        file,
        (owner, names) ->
            client
                .get()
                .newWorkflowStub(
                    PipelineWorkflow.class, SegmentRef.workflowId(segment.parentId(), owner))
                .taskStates(names));
  }
}
