package io.capstan.activities.pipeline;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.outputs.OutputKeys;
import io.capstan.outputs.OutputStore;
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
import io.capstan.workflows.run.TaskState;
import io.temporal.activity.Activity;
import io.temporal.client.WorkflowClient;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a large pipeline's definition from the output store, stores its segments, and gathers what
 * a segment needs from the segments before it by querying their workflows ({@code taskStates}),
 * which answer even once closed.
 */
public final class PipelineSegmentActivitiesImpl implements PipelineSegmentActivities {
  /** How many task states one query asks for: 400 outputs of 4 KiB stay under 2 MiB. */
  static final int STATES_PER_QUERY = 400;

  /** What a segment's inputs may come to: well under Temporal's 2 MiB payload limit. */
  static final int WORK_LIMIT = 1536 * 1024;

  private final OutputStore store;
  private final WorkflowClient client;

  public PipelineSegmentActivitiesImpl(OutputStore store, WorkflowClient client) {
    this.store = store;
    this.client = client;
  }

  @Override
  public SegmentPlan plan(String runId, SegmentedTasks tasks) {
    PipelineDefinition definition =
        StoredJson.read(read(tasks.key(), tasks.sha256()), PipelineDefinition.class);
    PipelineSpec spec = definition.spec();
    SegmentPlanner.Cut cut;
    try {
      cut =
          SegmentPlanner.cut(
              spec.tasks(),
              tasks.segmentTasks(),
              SegmentPlanner.SEGMENT_BYTES,
              task -> StoredJson.write(task).length);
    } catch (IllegalArgumentException invalid) {
      throw ApplicationFailure.newNonRetryableFailure(invalid.getMessage(), DEFINITION_UNAVAILABLE);
    }
    List<Segment> segments = new ArrayList<>();
    for (int s = 0; s < cut.segments().size(); s++) {
      byte[] file = StoredJson.write(SegmentPlanner.file(definition, cut, s));
      String sha256 = StoredJson.sha256(file);
      String key = OutputKeys.definition(sha256);
      put(key, file);
      segments.add(
          new Segment(
              s, key, sha256, cut.segments().get(s).size(), SegmentPlanner.dependencies(cut, s)));
      Activity.getExecutionContext().heartbeat(s);
    }
    return new SegmentPlan(segments);
  }

  @Override
  public SegmentWork prepare(SegmentRef segment) {
    SegmentFile file = StoredJson.read(read(segment.key(), segment.sha256()), SegmentFile.class);
    SegmentWork work =
        SegmentInputs.resolve(
            file,
            (owner, names) -> states(SegmentRef.workflowId(segment.parentId(), owner), names));
    int bytes = StoredJson.write(work).length;
    if (bytes > WORK_LIMIT) {
      throw ApplicationFailure.newNonRetryableFailure(
          String.format(
              java.util.Locale.ROOT,
              "segment %d's tasks and the outputs of earlier tasks they use come to %.1f MiB, over"
                  + " the %.1f MiB a segment can start with: name fewer outputs of other tasks in"
                  + " templates, or keep outputs over 4 KiB (they are passed by reference)",
              segment.index(),
              bytes / 1048576.0,
              WORK_LIMIT / 1048576.0),
          INPUTS_TOO_LARGE);
    }
    return work;
  }

  private Map<String, TaskState> states(String workflowId, List<String> names) {
    PipelineWorkflow owner = client.newWorkflowStub(PipelineWorkflow.class, workflowId);
    Map<String, TaskState> states = new LinkedHashMap<>();
    for (int from = 0; from < names.size(); from += STATES_PER_QUERY) {
      states.putAll(
          owner.taskStates(names.subList(from, Math.min(names.size(), from + STATES_PER_QUERY))));
      Activity.getExecutionContext().heartbeat(workflowId);
    }
    return states;
  }

  private byte[] read(String key, String sha256) {
    byte[] bytes;
    try (InputStream in = store.open(key)) {
      bytes = in.readAllBytes();
    } catch (NoSuchFileException missing) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the pipeline's stored definition " + key + " is gone from " + store.describe(),
          DEFINITION_UNAVAILABLE);
    } catch (IOException e) {
      throw new UncheckedIOException("output store " + store.describe() + ": " + e.getMessage(), e);
    }
    if (!StoredJson.sha256(bytes).equals(sha256)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the pipeline's stored definition " + key + " does not match its digest",
          DEFINITION_UNAVAILABLE);
    }
    return bytes;
  }

  private void put(String key, byte[] bytes) {
    try {
      store.put(key, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("output store " + store.describe() + ": " + e.getMessage(), e);
    }
  }
}
