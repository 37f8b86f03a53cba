package io.capstan.workflows.gpu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.definitions.executor.GpuOp;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.task.TaskOptions;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code gpu} task's attempts, each on devices leased for it. The lease is asked for by signal
 * and answered by signal ({@link GpuFleetWorkflow#requestLease}), so the wait for a full fleet
 * costs no worker and survives restarts; the release is a signal sent from a detached scope, so it
 * goes out on every ending, cancellation included. The retries are this workflow's own, on the
 * task's backoff, because each needs a lease of its own and may need to avoid a lost host.
 */
public final class GpuTaskWorkflowImpl implements GpuTaskWorkflow {
  /** How long a leased host's worker may take to pick the work up before the host counts lost. */
  static final Duration PICKUP_TIMEOUT = Duration.ofMinutes(1);

  /** The matrix side of burn-in and gemm GEMMs, as gpu-burn and DCGM use. */
  static final int MATRIX_SIZE = 8192;

  static final Duration DEFAULT_BURN_IN = Duration.ofSeconds(30);

  /** How long a canceled task waits for its device work to stop before it gives the lease back. */
  static final Duration STOP_GRACE = Duration.ofSeconds(40);

  static final long BANDWIDTH_BYTES = 1L << 30;
  static final int BANDWIDTH_REPEATS = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, LeaseTable.Lease> granted = new LinkedHashMap<>();
  private final Map<String, String> refused = new LinkedHashMap<>();
  private final Map<String, GpuFleetWorkflow.LeaseRefusal> revoked = new LinkedHashMap<>();
  private final List<Attempt> attempts = new ArrayList<>();

  @Override
  public TaskOutcome run(GpuTaskInput input) {
    GpuSpec gpu = input.gpu();
    int maxAttempts = TaskOptions.maxAttempts(input.context().retry());
    Set<String> excluded = new LinkedHashSet<>();
    GpuFleetWorkflow fleet =
        Workflow.newExternalWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID);
    String host = null;
    String previous = null;
    // A task pinned to a host (sameHostAs) can only go there: excluding it would leave nowhere.
    boolean pinned = input.host() != null;
    for (int attempt = 1; ; attempt++) {
      String leaseId = Workflow.getInfo().getWorkflowId() + "#" + attempt;
      String error;
      String errorType;
      boolean retryable = true;
      try {
        LeaseTable.Lease lease = lease(fleet, leaseId, input, excluded);
        host = lease.host();
        attempts.add(new Attempt(attempt, leaseId, host, lease.devices(), null));
        try {
          String output = perform(gpu, lease, input.attemptTimeout(), fleet);
          ended(attempt, "succeeded");
          return new TaskOutcome(output, attempt, host);
        } catch (ActivityFailure failure) {
          Throwable cause = failure.getCause();
          if (cause instanceof CanceledFailure) {
            throw failure;
          }
          if (cause instanceof TimeoutFailure timeout
              && timeout.getTimeoutType() != TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE) {
            // The host's worker never picked the work up, or stopped heartbeating: the host is
            // lost for this task, and the retry goes elsewhere.
            errorType = HOST_LOST;
            error = "host " + host + " stopped answering (" + timeoutKind(timeout) + ")";
            if (!pinned) {
              excluded.add(host);
              error = error + ": the retry excludes it";
            }
          } else if (cause instanceof TimeoutFailure timeout) {
            errorType = "GpuTaskTimedOut";
            error = timeoutKind(timeout);
          } else if (cause instanceof ApplicationFailure app) {
            error = message(app);
            errorType = app.getType();
            if (GpuActivities.INVALID_REQUEST.equals(app.getType())) {
              retryable = false;
            } else if (GpuActivities.DEVICE_LOST.equals(app.getType())) {
              quarantineLost(fleet, lease, app);
            }
          } else {
            error = failure.getMessage();
            errorType = BURN_IN_FAILED;
          }
        } catch (ApplicationFailure judged) {
          // The operation's verdict was a failure (a burn-in a device failed), or its host died.
          error = message(judged);
          errorType = judged.getType();
          if (HOST_LOST.equals(errorType) && !pinned) {
            excluded.add(host);
            error = error + ": the retry excludes it";
          }
        } finally {
          release(fleet, leaseId);
        }
      } catch (ApplicationFailure leaseFailure) {
        // No lease: the fleet refused, or does not run. This attempt never ran; an earlier one's
        // error is what the task failed of.
        throw failure(
            leaseFailure.getOriginalMessage()
                + (previous == null ? "" : "; the attempt before failed: " + previous),
            leaseFailure.getType(),
            attempt - 1,
            host);
      } catch (CanceledFailure | ActivityFailure canceled) {
        release(fleet, leaseId);
        throw canceled;
      }
      ended(attempt, error);
      previous = error;
      if (!retryable || attempt >= maxAttempts) {
        throw failure(
            maxAttempts > 1 && retryable
                ? error + " (attempt " + attempt + " of " + maxAttempts + ")"
                : error,
            errorType,
            attempt,
            host);
      }
      Workflow.sleep(TaskOptions.retryDelay(input.context().retry(), attempt));
    }
  }

  @Override
  public void leaseGranted(LeaseTable.Lease lease) {
    granted.put(lease.id(), lease);
  }

  @Override
  public void leaseRefused(GpuFleetWorkflow.LeaseRefusal refusal) {
    refused.put(refusal.leaseId(), refusal.reason());
  }

  @Override
  public void leaseRevoked(GpuFleetWorkflow.LeaseRefusal revocation) {
    revoked.put(revocation.leaseId(), revocation);
  }

  /** Gives the lease back, from a detached scope so it goes out however the attempt ended. */
  private static void release(GpuFleetWorkflow fleet, String leaseId) {
    Workflow.newDetachedCancellationScope(
            () -> tell(() -> fleet.release(leaseId), "lease " + leaseId + " not released"))
        .run();
  }

  /**
   * Sends the fleet a signal. A fleet that is gone has no lease to take back nor device to
   * quarantine: that is no failure of the task, only a line in the worker's log.
   */
  private static void tell(Runnable signal, String otherwise) {
    try {
      signal.run();
    } catch (CanceledFailure canceled) {
      throw canceled;
    } catch (RuntimeException fleetGone) {
      Workflow.getLogger(GpuTaskWorkflowImpl.class)
          .warn("{}: {}", otherwise, fleetGone.getMessage());
    }
  }

  @Override
  public List<Attempt> attempts() {
    return List.copyOf(attempts);
  }

  // ---------------------------------------------------------------------------------------------

  /** Asks the fleet for this attempt's devices and waits for its answer. */
  private LeaseTable.Lease lease(
      GpuFleetWorkflow fleet, String leaseId, GpuTaskInput input, Set<String> excluded) {
    GpuSpec gpu = input.gpu();
    LeaseTable.Request request =
        new LeaseTable.Request(
            leaseId,
            gpu.devices(),
            gpu.deviceName(),
            gpu.labels(),
            input.host(),
            excluded,
            leaseLimit(input.attemptTimeout()).toMillis());
    try {
      fleet.requestLease(
          new GpuFleetWorkflow.LeaseRequest(request, Workflow.getInfo().getWorkflowId()));
    } catch (CanceledFailure canceled) {
      throw canceled;
    } catch (RuntimeException noFleet) {
      // SignalExternalWorkflowExecution failed: NOT_FOUND, the fleet entity does not exist.
      throw ApplicationFailure.newNonRetryableFailure(
          "no GPU fleet is running: no GPU host has registered (start `capstan worker --role gpu`"
              + " on a GPU host, or `capstan up`, whose simulated GPU hosts register)",
          NO_FLEET);
    }
    Workflow.await(() -> granted.containsKey(leaseId) || refused.containsKey(leaseId));
    if (refused.containsKey(leaseId)) {
      throw ApplicationFailure.newNonRetryableFailure(
          "no lease for " + describe(gpu) + ": " + refused.remove(leaseId), LEASE_REFUSED);
    }
    return granted.remove(leaseId);
  }

  /**
   * How long an attempt may hold its lease: no attempt runs longer (its pickup and its timeout), so
   * a lease still held past that belongs to a task that ended without releasing it (terminated
   * outright), and the fleet takes it back.
   */
  static Duration leaseLimit(Duration attemptTimeout) {
    return PICKUP_TIMEOUT.plus(TaskOptions.attemptTimeout(attemptTimeout)).plus(LEASE_MARGIN);
  }

  /** Slack on top of an attempt's longest run before its lease is taken back. */
  static final Duration LEASE_MARGIN = Duration.ofMinutes(5);

  /** Runs the task's operation on the leased devices; its output is a JSON summary. */
  private String perform(
      GpuSpec gpu, LeaseTable.Lease lease, Duration attemptTimeout, GpuFleetWorkflow fleet) {
    Duration timeout = TaskOptions.attemptTimeout(attemptTimeout);
    GpuActivities devices =
        Workflow.newActivityStub(
            GpuActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.gpu(lease.host()))
                .setSummary(describe(gpu) + " on " + lease.host() + " " + lease.devices())
                .setScheduleToStartTimeout(PICKUP_TIMEOUT)
                .setStartToCloseTimeout(timeout)
                .setHeartbeatTimeout(TaskOptions.HEARTBEAT_TIMEOUT)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    Map<String, Object> output = new LinkedHashMap<>();
    output.put("op", opName(gpu.op()));
    output.put("host", lease.host());
    output.put("devices", lease.devices());
    switch (gpu.op()) {
      case INVENTORY -> {
        GpuActivities.GpuInventory inventory =
            onHost(() -> Async.function(devices::inventory), lease);
        output.put(
            "inventory",
            inventory.devices().stream().filter(d -> lease.devices().contains(d.index())).toList());
      }
      case BANDWIDTH -> {
        GpuActivities.BandwidthResult result =
            onHost(
                () ->
                    Async.function(
                        devices::bandwidth,
                        new GpuActivities.BandwidthRequest(
                            lease.devices(), BANDWIDTH_BYTES, BANDWIDTH_REPEATS)),
                lease);
        output.put("bandwidth", result.devices());
      }
      case BURN_IN, GEMM -> {
        Duration duration = gpu.duration() != null ? gpu.duration() : DEFAULT_BURN_IN;
        Duration window =
            duration.compareTo(Duration.ofSeconds(30)) >= 0
                ? Duration.ofSeconds(10)
                : duration.dividedBy(3).isZero() ? duration : duration.dividedBy(3);
        GpuActivities.BurnInResult result =
            onHost(
                () ->
                    Async.function(
                        devices::burnIn,
                        new GpuActivities.BurnInRequest(
                            lease.devices(),
                            gpu.dtype() == null ? "bf16" : gpu.dtype(),
                            MATRIX_SIZE,
                            duration,
                            window,
                            gpu.minTflops())),
                lease);
        output.put("results", result.devices());
        for (GpuActivities.DeviceBurnIn device : result.devices()) {
          if (!device.windowTflops().isEmpty()) {
            Workflow.getMetricsScope()
                .tagged(
                    Map.of(
                        "host",
                        lease.host(),
                        "device",
                        Integer.toString(device.index()),
                        "dtype",
                        gpu.dtype() == null ? "bf16" : gpu.dtype()))
                .gauge("capstan_gpu_burn_in_tflops")
                .update(device.windowTflops().get(device.windowTflops().size() - 1));
          }
        }
        if (!result.passed()) {
          List<String> why = new ArrayList<>();
          for (GpuActivities.DeviceBurnIn device : result.devices()) {
            if (!device.passed()) {
              why.add("device " + device.index() + " of " + lease.host() + ": " + device.failure());
              if (gpu.op() == GpuOp.BURN_IN) {
                // A device that fails a burn-in takes no more work until it passes one again.
                quarantine(
                    fleet,
                    new GpuFleetWorkflow.DeviceRef(
                        lease.host(), device.index(), "failed burn-in: " + device.failure()));
              }
            }
          }
          throw ApplicationFailure.newFailure(
              opName(gpu.op())
                  + " failed on "
                  + String.join("; ", why)
                  + (gpu.op() == GpuOp.BURN_IN ? " (quarantined)" : ""),
              BURN_IN_FAILED);
        }
      }
    }
    try {
      return JSON.writeValueAsString(output);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a GPU result could not be written as JSON", e);
    }
  }

  /**
   * The work's result, or a failure as soon as the fleet takes the lease back ({@link #HOST_LOST}
   * when its host died, {@link #LEASE_EXPIRED} when it passed its time limit): the work is asked to
   * stop, and a dead host's work is left to time out on its own. When the task is canceled, the
   * device work is stopped (and its stop awaited, for a while) before the lease goes back.
   */
  private <R> R onHost(java.util.function.Supplier<Promise<R>> start, LeaseTable.Lease lease) {
    List<Promise<R>> started = new ArrayList<>(1);
    CancellationScope scope = Workflow.newCancellationScope(() -> started.add(start.get()));
    scope.run();
    Promise<R> work = started.get(0);
    try {
      Workflow.await(() -> work.isCompleted() || revoked.containsKey(lease.id()));
    } catch (CanceledFailure canceled) {
      Workflow.newDetachedCancellationScope(
              () -> {
                scope.cancel("the task was canceled");
                Workflow.await(STOP_GRACE, work::isCompleted);
              })
          .run();
      throw canceled;
    }
    if (!work.isCompleted()) {
      GpuFleetWorkflow.LeaseRefusal why = revoked.get(lease.id());
      scope.cancel("the lease was taken back");
      throw ApplicationFailure.newFailure(
          (why.hostLost()
                  ? "host " + lease.host() + " was lost mid-task: "
                  : "the lease on " + lease.host() + " was taken back: ")
              + why.reason(),
          why.hostLost() ? HOST_LOST : LEASE_EXPIRED);
    }
    return work.get();
  }

  /** Tells the fleet to quarantine a device. */
  private static void quarantine(GpuFleetWorkflow fleet, GpuFleetWorkflow.DeviceRef device) {
    tell(
        () -> fleet.quarantine(device),
        "device " + device.device() + " of " + device.host() + " not quarantined");
  }

  private static void quarantineLost(
      GpuFleetWorkflow fleet, LeaseTable.Lease lease, ApplicationFailure lost) {
    Integer device = null;
    try {
      device = lost.getDetails().get(0, Integer.class);
    } catch (RuntimeException unreadable) {
      // Without the index every leased device is suspect.
    }
    for (int index : device != null ? List.of(device) : lease.devices()) {
      quarantine(
          fleet,
          new GpuFleetWorkflow.DeviceRef(
              lease.host(), index, "lost mid-task: " + lost.getOriginalMessage()));
    }
  }

  private void ended(int attempt, String outcome) {
    for (int i = 0; i < attempts.size(); i++) {
      Attempt a = attempts.get(i);
      if (a.number() == attempt) {
        attempts.set(i, new Attempt(a.number(), a.lease(), a.host(), a.devices(), outcome));
      }
    }
  }

  /** A failure of the task, with the attempt and host details every task failure carries. */
  private static ApplicationFailure failure(String message, String type, int attempt, String host) {
    return ApplicationFailure.newNonRetryableFailure(message, type, attempt, host);
  }

  private static String message(TemporalFailure failure) {
    String message = failure.getOriginalMessage();
    return message == null || message.isBlank() ? failure.getMessage() : message;
  }

  private static String timeoutKind(TimeoutFailure timeout) {
    return switch (timeout.getTimeoutType()) {
      case TIMEOUT_TYPE_SCHEDULE_TO_START ->
          "its worker did not pick the work up within " + TaskOptions.describe(PICKUP_TIMEOUT);
      case TIMEOUT_TYPE_HEARTBEAT ->
          "no heartbeat for " + TaskOptions.describe(TaskOptions.HEARTBEAT_TIMEOUT);
      default -> "the attempt ran past its timeout";
    };
  }

  private static String describe(GpuSpec gpu) {
    return opName(gpu.op())
        + " on "
        + gpu.devices()
        + " device"
        + (gpu.devices() == 1 ? "" : "s")
        + (gpu.deviceName() == null ? "" : " of " + gpu.deviceName());
  }

  private static String opName(GpuOp op) {
    return op.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
