package io.capstan.workflows.fake;

import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.ContainerActivities;
import io.capstan.workflows.task.ContainerRequest;
import io.capstan.workflows.task.OutputRef;
import io.capstan.workflows.task.ShellRequest;
import io.capstan.workflows.task.SimulateRequest;
import io.capstan.workflows.task.TaskActivities;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInfo;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Task activities for workflow tests. A simulate attempt fails while its number is at most {@code
 * failAttempts} (asking for {@code interval × attempt} when the backoff is linear, as the real
 * executors do), otherwise returns {@code output}. A task can be held on a gate until the test
 * opens it or the workflow cancels it, and every attempt can be held for a fixed real time so that
 * concurrent tasks overlap. It records each attempt, how many ran at once, and which were told to
 * stop.
 *
 * <p>The container fake runs no Job: it behaves as the task's {@code simulate} block says (fails
 * its first {@code failAttempts}, exits with {@code exitCode}, leaves {@code output}), as the local
 * cluster's kwok stages make a pod behave.
 *
 * <p>All render the templates as a worker does (the workflow sends the values along). The shell
 * fake runs nothing: {@code [disabled]} fails as a worker without shell does, {@code [exit, N]}
 * fails as a non-zero exit does, anything else succeeds with the joined command line.
 */
public final class FakeTaskActivities implements TaskActivities, ContainerActivities {
  public static final String HOST = "fake-host";

  /** One attempt as the activity saw it, started at the test environment's time. */
  public record Attempt(String task, int attempt, long startedAtMillis) {}

  private final ConcurrentLinkedQueue<Attempt> attempts = new ConcurrentLinkedQueue<>();
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final Map<String, CountDownLatch> started = new ConcurrentHashMap<>();
  private final Set<String> stopped = ConcurrentHashMap.newKeySet();
  private final Set<String> broken = ConcurrentHashMap.newKeySet();
  private final Map<String, SimulateSpec> simulated = new ConcurrentHashMap<>();
  private final Map<String, List<String>> commands = new ConcurrentHashMap<>();
  private final Map<String, ShellSpec> shells = new ConcurrentHashMap<>();
  private final Map<String, ContainerSpec> containers = new ConcurrentHashMap<>();
  private final Map<String, TaskContext> contexts = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger maxRunning = new AtomicInteger();
  private final Map<String, String> stored = new ConcurrentHashMap<>();
  private volatile java.util.function.Predicate<String> storesOutput = task -> false;
  private volatile Duration hold = Duration.ZERO;
  private volatile LongSupplier clock = () -> 0L;

  /** Forgets everything recorded and configured; call before each test. */
  public void reset() {
    attempts.clear();
    gates.clear();
    started.clear();
    stopped.clear();
    broken.clear();
    simulated.clear();
    commands.clear();
    shells.clear();
    containers.clear();
    contexts.clear();
    running.set(0);
    maxRunning.set(0);
    hold = Duration.ZERO;
    stored.clear();
    storesOutput = task -> false;
  }

  /**
   * Keeps the outputs of the tasks {@code which} accepts "in the store", as a worker does with an
   * output too large for history: the outcome carries an {@link OutputRef}, and a later task that
   * names it gets the stored value.
   */
  public void storeOutputs(java.util.function.Predicate<String> which) {
    storesOutput = which;
  }

  /**
   * Reads attempt start times from {@code clock}: the test environment's, whose time skips (the
   * server's scheduled-time of an attempt is when the previous one failed, not when it began).
   */
  public void useClock(LongSupplier clock) {
    this.clock = clock;
  }

  /** Holds every attempt of every task this long in real time, so that concurrent ones overlap. */
  public void holdEachAttempt(Duration duration) {
    hold = duration;
  }

  /** Fails every attempt of {@code task}, whatever its spec says. */
  public void breakTask(String task) {
    broken.add(task);
  }

  /** Undoes {@link #breakTask}: the task's next attempts follow its spec again. */
  public void repairTask(String task) {
    broken.remove(task);
  }

  /** Holds {@code task}'s attempts until the returned latch is counted down or it is canceled. */
  public CountDownLatch gate(String task) {
    return gates.computeIfAbsent(task, t -> new CountDownLatch(1));
  }

  /** Blocks until an attempt of {@code task} has started. */
  public void awaitStarted(String task) throws InterruptedException {
    if (!startedLatch(task).await(10, TimeUnit.SECONDS)) {
      throw new AssertionError("task " + task + " did not start within 10s");
    }
  }

  public boolean hasStarted(String task) {
    return startedLatch(task).getCount() == 0;
  }

  public List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  public List<Attempt> attemptsOf(String task) {
    return attempts.stream().filter(a -> a.task().equals(task)).toList();
  }

  public int maxConcurrent() {
    return maxRunning.get();
  }

  /** Tasks whose attempt was told by Temporal to stop (canceled, or timed out meanwhile). */
  public Set<String> stopped() {
    return Set.copyOf(stopped);
  }

  /** The spec the last attempt of a simulate task received, templates rendered. */
  public SimulateSpec simulated(String task) {
    return simulated.get(task);
  }

  /** The whole spec the last attempt of a shell task received, templates rendered. */
  public ShellSpec shellSpec(String task) {
    return shells.get(task);
  }

  /** The context the last attempt of {@code task} received. */
  public TaskContext context(String task) {
    return contexts.get(task);
  }

  /** The command the last attempt of a shell task received, templates rendered. */
  public List<String> command(String task) {
    return commands.get(task);
  }

  @Override
  public TaskOutcome simulate(SimulateRequest request) {
    String task = request.context().task();
    contexts.put(task, request.context());
    SimulateSpec spec =
        request.inputs() == null
            ? request.spec()
            : request.spec().render(request.inputs().renderer(fetched(request.inputs())));
    simulated.put(task, spec);
    int attempt = begin(task);
    try {
      hold(task);
      if (attempt <= spec.failAttempts() || broken.contains(task)) {
        throw failure(request.context(), attempt, "simulated failure on attempt " + attempt);
      }
      return outcome(task, spec.output(), attempt);
    } finally {
      running.decrementAndGet();
    }
  }

  @Override
  public TaskOutcome container(ContainerRequest request) {
    String task = request.context().task();
    contexts.put(task, request.context());
    ContainerSpec spec =
        request.inputs() == null
            ? request.spec()
            : request.spec().render(request.inputs().renderer(fetched(request.inputs())));
    containers.put(task, spec);
    ContainerSimulation sim =
        spec.simulate() == null
            ? new ContainerSimulation(null, null, null, null, null)
            : spec.simulate();
    int attempt = begin(task);
    try {
      hold(task);
      int exit = sim.exitCodeOf(attempt);
      if (exit != 0) {
        throw ApplicationFailure.newBuilder()
            .setType(TaskFailures.CONTAINER_EXIT)
            .setMessage("exit code " + exit + " (Error)")
            .setDetails(attempt, HOST)
            .build();
      }
      return outcome(task, sim.output() == null ? "" : sim.output(), attempt);
    } finally {
      running.decrementAndGet();
    }
  }

  /** The container spec the last attempt of {@code task} ran, rendered. */
  public ContainerSpec container(String task) {
    return containers.get(task);
  }

  @Override
  public TaskOutcome shell(ShellRequest request) {
    String task = request.context().task();
    ShellSpec spec =
        request.inputs() == null
            ? request.spec()
            : request.spec().render(request.inputs().renderer(fetched(request.inputs())));
    List<String> command = spec.command();
    contexts.put(task, request.context());
    shells.put(task, spec);
    commands.put(task, command);
    int attempt = begin(task);
    try {
      hold(task);
      if (!command.isEmpty() && command.get(0).equals("disabled")) {
        throw ApplicationFailure.newBuilder()
            .setType(TaskFailures.SHELL_DISABLED)
            .setMessage("this worker does not run shell tasks")
            .setDetails(attempt, HOST)
            .build();
      }
      if (!command.isEmpty() && command.get(0).equals("exit")) {
        throw failure(request.context(), attempt, "exit code " + command.get(1));
      }
      return new TaskOutcome(String.join(" ", command), attempt, HOST);
    } finally {
      running.decrementAndGet();
    }
  }

  private TaskOutcome outcome(String task, String output, int attempt) {
    if (output == null || !storesOutput.test(task)) {
      return new TaskOutcome(output, attempt, HOST);
    }
    byte[] bytes = output.getBytes(StandardCharsets.UTF_8);
    String sha;
    try {
      sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String key = "runs/fake/" + task + "/" + sha;
    stored.put(key, output);
    return new TaskOutcome(
        null,
        attempt,
        HOST,
        new OutputRef(key, bytes.length, sha, output.substring(0, Math.min(200, output.length()))));
  }

  private Map<String, String> fetched(TaskInputs inputs) {
    Map<String, String> values = new java.util.HashMap<>();
    inputs.references().forEach((name, ref) -> values.put(name, stored.get(ref.key())));
    return values;
  }

  private int begin(String task) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    attempts.add(new Attempt(task, info.getAttempt(), clock.getAsLong()));
    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
    startedLatch(task).countDown();
    return info.getAttempt();
  }

  private CountDownLatch startedLatch(String task) {
    return started.computeIfAbsent(task, t -> new CountDownLatch(1));
  }

  private void hold(String task) {
    ActivityExecutionContext context = Activity.getExecutionContext();
    CountDownLatch gate = gates.get(task);
    long holdUntil = System.nanoTime() + hold.toNanos();
    try {
      while (gate != null ? gate.getCount() > 0 : System.nanoTime() < holdUntil) {
        // Heartbeats are how a canceled activity learns that it was.
        context.heartbeat(null);
        if (gate != null) {
          gate.await(20, TimeUnit.MILLISECONDS);
        } else {
          Thread.sleep(Math.max(1, Math.min(20, (holdUntil - System.nanoTime()) / 1_000_000)));
        }
      }
    } catch (ActivityCompletionException told) {
      stopped.add(task);
      throw told;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(interrupted);
    }
  }

  private static ApplicationFailure failure(TaskContext context, int attempt, String message) {
    RetrySpec retry = context.retry();
    ApplicationFailure.Builder failure =
        ApplicationFailure.newBuilder()
            .setType(TaskFailures.SIMULATED)
            .setMessage(message)
            .setDetails(attempt, HOST);
    if (retry.backoff() == Backoff.LINEAR) {
      failure.setNextRetryDelay(retry.interval().multipliedBy(attempt));
    }
    return failure.build();
  }
}
