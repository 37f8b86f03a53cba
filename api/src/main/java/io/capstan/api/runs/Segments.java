package io.capstan.api.runs;

import io.capstan.outputs.OutputStore;
import io.capstan.workflows.pipeline.SegmentFile;
import io.capstan.workflows.pipeline.StoredJson;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.SegmentStatus;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a large run's tasks from its segments. The run's own workflow reports only its segments;
 * each segment's workflow ({@code RUN/segment-K}) answers for its tasks, also once it has ended,
 * and the tasks of a segment that has not started are read from the output store. Tasks are listed
 * segment by segment, in the order the run starts them.
 */
public final class Segments {
  /** How many segments' task names are kept in memory; their files never change. */
  private static final int CACHED_SEGMENTS = 512;

  private final TemporalRuns runs;
  private final OutputStore store;
  private final Map<String, List<String>> names = new ConcurrentHashMap<>();

  public Segments(TemporalRuns runs, OutputStore store) {
    this.runs = runs;
    this.store = store;
  }

  /** A task and the segment that holds it. */
  public record Located(SegmentStatus segment, TaskState state) {}

  /**
   * One page of a large run's state: the running segments' progress asked of them, and at most
   * {@code limit} tasks from {@code offset}, counted segment by segment.
   */
  public RunState page(RunState run, int offset, int limit, List<String> warnings) {
    List<SegmentStatus> segments = new ArrayList<>();
    int done = 0;
    int total = 0;
    for (SegmentStatus segment : run.segments()) {
      SegmentStatus shown = segment;
      if (segment.phase() == TaskPhase.RUNNING) {
        try {
          Progress progress = runs.queryStatePage(segment.workflowId(), 0, 0).progress();
          // A segment still reading its tasks reports none yet: the plan knows how many it has.
          shown =
              withProgress(
                  segment,
                  new Progress(
                      Math.min(progress.done(), segment.progress().total()),
                      segment.progress().total()));
        } catch (RuntimeException e) {
          warnings.add(
              "the progress of segment " + segment.index() + " is unavailable: " + describe(e));
        }
      }
      done += shown.progress().done();
      total += shown.progress().total();
      segments.add(shown);
    }
    int from = Math.max(0, offset);
    int count = Math.max(0, Math.min(limit, RunState.MAX_PAGE));
    Map<String, TaskState> tasks = new LinkedHashMap<>();
    int start = 0;
    for (SegmentStatus segment : segments) {
      int size = segment.progress().total();
      int next = from + tasks.size();
      if (tasks.size() < count && next < start + size) {
        tasks.putAll(tasksOf(segment, next - start, count - tasks.size(), warnings));
      }
      start += size;
    }
    return new RunState(run.phase(), new Progress(done, total), tasks, List.copyOf(segments));
  }

  /** The segment that holds {@code task} and the task's state; empty when no segment has it. */
  public Optional<Located> locate(RunState run, String task) {
    for (SegmentStatus segment : run.segments()) {
      if (!namesOf(segment).contains(task)) {
        continue;
      }
      if (segment.phase() == TaskPhase.PENDING) {
        return Optional.of(new Located(segment, TaskState.pending()));
      }
      TaskState state = runs.queryTaskStates(segment.workflowId(), List.of(task)).get(task);
      return Optional.of(new Located(segment, state != null ? state : dropped(segment)));
    }
    return Optional.empty();
  }

  /** The first task names of the run, for a message naming what it has. */
  public List<String> someNames(RunState run, int max) {
    List<String> some = new ArrayList<>();
    for (SegmentStatus segment : run.segments()) {
      for (String name : namesOf(segment)) {
        if (some.size() == max) {
          return some;
        }
        some.add(name);
      }
    }
    return some;
  }

  private Map<String, TaskState> tasksOf(
      SegmentStatus segment, int offset, int limit, List<String> warnings) {
    if (segment.phase() != TaskPhase.PENDING) {
      try {
        return runs.queryStatePage(segment.workflowId(), offset, limit).tasks();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          warnings.add(
              "the tasks of segment " + segment.index() + " are unavailable: " + describe(e));
          return Map.of();
        }
        // Never started: its tasks are where the plan put them.
      } catch (RuntimeException e) {
        warnings.add(
            "the tasks of segment " + segment.index() + " are unavailable: " + describe(e));
        return Map.of();
      }
    }
    List<String> all = namesOf(segment);
    Map<String, TaskState> tasks = new LinkedHashMap<>();
    TaskState state = segment.phase() == TaskPhase.PENDING ? TaskState.pending() : dropped(segment);
    for (int i = Math.max(0, offset); i < all.size() && tasks.size() < limit; i++) {
      tasks.put(all.get(i), state);
    }
    return tasks;
  }

  /** The state of a task of a segment that ended without starting. */
  private static TaskState dropped(SegmentStatus segment) {
    return new TaskState(segment.phase(), 0, null, segment.error(), null, null, null);
  }

  private List<String> namesOf(SegmentStatus segment) {
    List<String> cached = names.get(segment.sha256());
    if (cached != null) {
      return cached;
    }
    byte[] bytes;
    try (InputStream in = store.open(segment.key())) {
      bytes = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the tasks of segment " + segment.index() + " are unavailable from " + store.describe(),
          e);
    }
    if (!StoredJson.sha256(bytes).equals(segment.sha256())) {
      throw new IllegalStateException(
          "the stored tasks of segment " + segment.index() + " do not match their digest");
    }
    List<String> read = new ArrayList<>();
    StoredJson.read(bytes, SegmentFile.class)
        .definition()
        .spec()
        .tasks()
        .forEach(task -> read.add(task.name()));
    if (names.size() >= CACHED_SEGMENTS) {
      names.clear();
    }
    names.put(segment.sha256(), List.copyOf(read));
    return read;
  }

  private static SegmentStatus withProgress(SegmentStatus segment, Progress progress) {
    return new SegmentStatus(
        segment.index(),
        segment.workflowId(),
        segment.phase(),
        progress,
        segment.dependsOn(),
        segment.error(),
        segment.key(),
        segment.sha256());
  }

  private static String describe(RuntimeException e) {
    if (e instanceof StatusRuntimeException status) {
      String description = status.getStatus().getDescription();
      return status.getStatus().getCode() + (description != null ? ": " + description : "");
    }
    return e.getMessage();
  }
}
