package io.capstan.api.runs;

import io.capstan.api.auth.Authenticator;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.OutputRef;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;

/**
 * Answers {@code GET /api/v1/runs/{id}/tasks/{task}/output}: a task's output whole, as {@code
 * text/plain}, whether it was kept in history or in the output store. The run's own answer shows a
 * stored output's size and first characters only; this route streams every byte, with its size
 * ({@code Content-Length}) and, for a stored one, its SHA-256 ({@code X-Capstan-Output-Sha256}), so
 * a client can check what it received.
 */
public final class RunOutputs {
  public static final String SHA256_HEADER = "X-Capstan-Output-Sha256";

  private final RunInspector inspector;
  private final OutputStore store;

  public RunOutputs(RunInspector inspector, OutputStore store) {
    this.inspector = inspector;
    this.store = store;
  }

  public void get(Context ctx) {
    String id = ctx.pathParam("id");
    String task = ctx.pathParam("task");
    TaskState state = inspector.requireTask(id, Authenticator.principal(ctx), task);
    if (state.state() != TaskPhase.SUCCEEDED) {
      throw new OutputNotAvailableException(
          id, task, "it is " + state.state() + "; only a task that SUCCEEDED has an output");
    }
    ctx.contentType("text/plain; charset=utf-8");
    OutputRef ref = state.outputRef();
    if (ref == null) {
      byte[] bytes =
          (state.output() == null ? "" : state.output()).getBytes(StandardCharsets.UTF_8);
      ctx.header("Content-Length", Long.toString(bytes.length));
      ctx.result(bytes);
      return;
    }
    InputStream in;
    try {
      in = store.open(ref.key());
    } catch (NoSuchFileException e) {
      throw new OutputNotAvailableException(
          id,
          task,
          "its output ("
              + ref.size()
              + " bytes) is not in the output store ("
              + store.describe()
              + ", key "
              + ref.key()
              + "): the API must use the store its workers write to");
    } catch (IOException e) {
      throw new UncheckedIOException("output store " + store.describe() + ": " + e.getMessage(), e);
    }
    ctx.header("Content-Length", Long.toString(ref.size()));
    ctx.header(SHA256_HEADER, ref.sha256());
    ctx.result(in);
  }
}
