package io.capstan.api.runs;

import io.capstan.api.auth.Authenticator;
import io.capstan.api.http.BadRequestException;
import io.capstan.outputs.OutputKeys;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.JobRef;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

/**
 * Answers {@code GET /api/v1/runs/{id}/tasks/{task}/logs[?attempt=N]}: the log an attempt left when
 * it ended, as {@code text/plain} (the latest attempt unless {@code attempt} says). A {@code shell}
 * attempt keeps the end of its stdout and stderr (secrets masked), a {@code container} attempt the
 * end of its pod's log, or a notice where the pod ran on a simulated node, which keeps none. The
 * worker writes it to the output store, so it outlives the pod and the worker.
 */
public final class RunLogs {
  /** The attempt the answer is the log of. */
  public static final String ATTEMPT_HEADER = "X-Capstan-Attempt";

  private final RunInspector inspector;
  private final OutputStore store;

  public RunLogs(RunInspector inspector, OutputStore store) {
    this.inspector = inspector;
    this.store = store;
  }

  public void get(Context ctx) {
    String id = ctx.pathParam("id");
    String task = ctx.pathParam("task");
    TaskState state = inspector.requireTask(id, Authenticator.principal(ctx), task);
    int attempts = state.attempts();
    if (attempts < 1 || state.state() == TaskPhase.PENDING && attempts <= 1) {
      throw new LogNotAvailableException(id, task, "it has not started");
    }
    int attempt = attempts;
    String asked = ctx.queryParam("attempt");
    if (asked != null) {
      try {
        attempt = Integer.parseInt(asked.strip());
      } catch (NumberFormatException e) {
        attempt = 0;
      }
      if (attempt < 1 || attempt > attempts) {
        throw new BadRequestException(
            "attempt must be a number from 1 to "
                + attempts
                + " (the attempts of task '"
                + task
                + "'), not '"
                + asked
                + "'");
      }
    }
    InputStream in;
    try {
      in = store.open(OutputKeys.log(id, task, attempt));
    } catch (NoSuchFileException e) {
      boolean running =
          attempt == attempts
              && (state.state() == TaskPhase.RUNNING || state.state() == TaskPhase.RETRYING);
      String where = running ? runningJob(id, ctx, task) : "";
      throw new LogNotAvailableException(
          id,
          task,
          running
              ? "attempt " + attempt + " is running; its log is kept when it ends" + where
              : "attempt "
                  + attempt
                  + " kept no log (simulate tasks write none; the store is "
                  + store.describe()
                  + ")");
    } catch (IOException e) {
      throw new UncheckedIOException("output store " + store.describe() + ": " + e.getMessage(), e);
    }
    ctx.header(ATTEMPT_HEADER, Integer.toString(attempt));
    ctx.contentType("text/plain; charset=utf-8");
    ctx.result(in);
  }

  /**
   * Where a running container attempt can be followed meanwhile: its Job, from the attempt's
   * heartbeat; empty for other executors.
   */
  private String runningJob(String id, Context ctx, String task) {
    return inspector
        .heartbeat(id, Authenticator.principal(ctx), task, JobRef.class)
        .filter(job -> job.namespace() != null && job.name() != null)
        .map(
            job ->
                "; it runs as Job "
                    + job
                    + ", whose log kubectl follows now: kubectl logs -n "
                    + job.namespace()
                    + " -f job/"
                    + job.name())
        .orElse("");
  }
}
