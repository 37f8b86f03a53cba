package io.capstan.bench.baseline;

import io.temporal.activity.ActivityOptions;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Hand-written SDK code for the same shapes the benchmark runs through Capstan. It has no
 * continue-as-new, so it is only fair up to the sizes the benchmark uses (its history stays under
 * Temporal's limits there).
 */
public final class RawWorkflowImpl implements RawWorkflow {
  private final RawActivities activities =
      Workflow.newActivityStub(
          RawActivities.class,
          ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());

  private int running;

  @Override
  public int run(int tasks, int parallelism) {
    if (parallelism <= 1) {
      String last = "start";
      for (int i = 0; i < tasks; i++) {
        last = activities.echo(last);
      }
      return tasks;
    }
    List<Promise<String>> all = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      Workflow.await(() -> running < parallelism);
      running++;
      Promise<String> done = Async.function(activities::echo, "task-" + i);
      done.handle(
          (value, failure) -> {
            running--;
            return value;
          });
      all.add(done);
    }
    Promise.allOf(all).get();
    return tasks;
  }
}
