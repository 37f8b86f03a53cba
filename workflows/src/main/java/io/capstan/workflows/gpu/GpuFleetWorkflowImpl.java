package io.capstan.workflows.gpu;

import io.capstan.workflows.TaskQueues;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * The fleet entity over a {@link LeaseTable}. Each registered host is watched by a liveness
 * activity on its own queue that only heartbeats; when it times out the host is lost and its leases
 * are revoked. A quarantined device is drained of its lease, then burned in on its host; it comes
 * back when it passes and is retired when it does not. Every step is an event in the status.
 */
public final class GpuFleetWorkflowImpl implements GpuFleetWorkflow {
  static final int EVENTS_KEPT = 200;

  /** How long a liveness watch runs before the fleet starts a fresh one. */
  static final Duration WATCH_SPAN = Duration.ofHours(12);

  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");
  private static final Logger LOG = Workflow.getLogger(GpuFleetWorkflowImpl.class);

  /**
   * The {@code Workflow.getVersion} change id of taking back leases past their time limit; fleets
   * started before it never expired a lease.
   */
  static final String LEASE_EXPIRY = "lease-expiry";

  /** How long a continue-as-new waits for Updates in flight before it goes anyway. */
  static final Duration HANDLERS_GRACE = Duration.ofMinutes(5);

  /** External signals sent and not yet delivered: a continue-as-new waits for them. */
  private int signalsInFlight;

  /** The history length past which the fleet continues as new once it is quiet. */
  static final int HISTORY_LIMIT = 10_000;

  private LeaseTable table = new LeaseTable();
  private final Map<String, CancellationScope> watches = new LinkedHashMap<>();
  private final Map<String, Integer> generations = new LinkedHashMap<>();
  private final java.util.Set<String> validating = new java.util.LinkedHashSet<>();

  /** Each device's validation generation: a result of an older one is ignored. */
  private final Map<String, Integer> validations = new LinkedHashMap<>();

  private final List<FleetEvent> events = new ArrayList<>();

  /** The workflow that asked for each lease by signal, until its lease is released. */
  private final Map<String, String> holders = new LinkedHashMap<>();

  /** When each request not yet granted arrived, for the lease wait time. */
  private final Map<String, Long> requestedAt = new LinkedHashMap<>();

  /** Requests by signal whose answer is not sent yet: granted or refused, it goes once. */
  private final java.util.Set<String> unanswered = new java.util.LinkedHashSet<>();

  private Duration liveness = DEFAULT_LIVENESS;
  private int historyLimit = HISTORY_LIMIT;
  private GpuActivities.BurnInRequest validation;

  @Override
  public void run(FleetInput input) {
    if (input != null && input.livenessTimeout() != null) {
      liveness = input.livenessTimeout();
    }
    validation =
        input != null && input.validation() != null
            ? input.validation()
            : new GpuActivities.BurnInRequest(
                List.of(), "bf16", 8192, Duration.ofSeconds(60), Duration.ofSeconds(10), null);
    if (input != null && input.historyLimit() != null) {
      historyLimit = input.historyLimit();
    }
    FleetCarry carry = input == null ? null : input.carry();
    if (carry != null) {
      table = LeaseTable.restore(carry.table());
      holders.putAll(carry.holders());
      unanswered.addAll(carry.unanswered());
      events.addAll(carry.events());
      // Every online host is watched afresh; one that died meanwhile is never picked up and is
      // lost. An offline one waits to register again.
      for (String host : table.devices().keySet()) {
        if (!table.offline().contains(host)) {
          watch(host);
        }
      }
      validateDrained();
      answerRequesters();
    }
    // The fleet lives as long as the namespace; its work happens in its handlers. Its history
    // does not: once long, and with no Update or validation in flight, it continues as new.
    if (Workflow.getVersion(LEASE_EXPIRY, Workflow.DEFAULT_VERSION, 1) >= 1) {
      // Leases with a time limit are taken back when it passes: a timer only while one is held.
      // Offline hosts are forgotten when their grace period ends, the same way.
      while (!historyLong()) {
        Long next = nextDeadline();
        if (next == null) {
          Workflow.await(() -> historyLong() || nextDeadline() != null);
        } else {
          Workflow.await(
              Duration.ofMillis(Math.max(1, next - now())),
              () -> historyLong() || !next.equals(nextDeadline()));
        }
        expireLeases();
        forgetOffline();
      }
    } else {
      Workflow.await(this::historyLong);
    }
    // Signals sent but not yet delivered would be dropped with this run: they go first. Updates
    // still waiting get a while to finish (a client retrying one reaches the new run, where
    // acquire is idempotent). Validations are not waited for: the new run restarts them.
    Workflow.await(() -> signalsInFlight == 0);
    Workflow.await(HANDLERS_GRACE, Workflow::isEveryHandlerFinished);
    Workflow.await(() -> signalsInFlight == 0);
    record("ContinuedAsNew", "history is long: the fleet continues in a new run");
    Workflow.continueAsNew(
        new FleetInput(
            liveness,
            validation,
            historyLimit,
            new FleetCarry(
                table.snapshot(),
                Map.copyOf(holders),
                List.copyOf(unanswered),
                List.copyOf(events))));
  }

  /** The next lease expiry or offline host's end of grace; null for none. */
  private Long nextDeadline() {
    Long expiry = table.nextExpiry();
    Long forget = table.nextForget();
    if (expiry == null) {
      return forget;
    }
    return forget == null ? expiry : Math.min(expiry, forget);
  }

  private void forgetOffline() {
    for (String host : table.forgetOffline(now())) {
      record(
          "HostForgotten",
          "host "
              + host
              + " stayed offline past its grace period: forgotten, with the requests only it could"
              + " serve");
    }
    answerRequesters();
  }

  private boolean historyLong() {
    return Workflow.getInfo().getHistoryLength() > historyLimit
        || Workflow.getInfo().isContinueAsNewSuggested();
  }

  /** Takes back expired leases and tells their holders, if they still listen. */
  private void expireLeases() {
    for (LeaseTable.Lease lease : table.expire(now())) {
      String holder = holders.remove(lease.id());
      record(
          "LeaseExpired",
          "lease "
              + lease.id()
              + " expired: its holder"
              + (holder == null ? "" : " " + holder)
              + " kept devices "
              + lease.devices()
              + " of "
              + lease.host()
              + " past its time limit without releasing them");
      if (holder != null) {
        GpuTaskWorkflow task = Workflow.newExternalWorkflowStub(GpuTaskWorkflow.class, holder);
        signalsInFlight++;
        Async.procedure(
                task::leaseRevoked,
                new LeaseRefusal(lease.id(), "the lease passed its time limit", false))
            .handle(
                (ok, gone) -> {
                  signalsInFlight--;
                  return null;
                });
      }
    }
    validateDrained();
    answerRequesters();
  }

  @Override
  public void restore(DeviceRef device) {
    String key = device.host() + "/" + device.device();
    try {
      table.restoreDevice(device.host(), device.device(), now());
      // A burn-in still running for it must not retire it afterwards.
      validating.remove(key);
      validations.merge(key, 1, Integer::sum);
    } catch (IllegalArgumentException unknown) {
      record("RestoreIgnored", unknown.getMessage());
      return;
    }
    record(
        "Restored",
        "device "
            + device.device()
            + " of "
            + device.host()
            + " restored to service by an operator"
            + (device.reason() == null ? "" : ": " + device.reason()));
    answerRequesters();
  }

  @Override
  public int registerHost(HostRegistration registration) {
    table.register(registration.host(), registration.devices(), now());
    record(
        "HostRegistered",
        "host "
            + registration.host()
            + " registered "
            + registration.devices().size()
            + " devices");
    watch(registration.host());
    // A device left validating (its burn-in never got a verdict, the host went away) is burned in
    // again now that its host is back.
    validateDrained();
    answerRequesters();
    return registration.devices().size();
  }

  @Override
  public void validateRegisterHost(HostRegistration registration) {
    if (registration == null
        || registration.host() == null
        || !HOST.matcher(registration.host()).matches()) {
      throw new IllegalArgumentException(
          "a host registers with its name (a DNS name or an address) and its devices");
    }
    if (registration.devices() == null || registration.devices().isEmpty()) {
      throw new IllegalArgumentException(
          "host " + registration.host() + " registers no devices: a GPU host has at least one");
    }
  }

  @Override
  public LeaseTable.Lease acquire(LeaseTable.Request request) {
    java.util.Optional<LeaseTable.Lease> held = table.lease(request.id());
    if (held.isPresent()) {
      // The same request again (a client retrying an Update that reached an earlier run of the
      // fleet): the same lease, never a second one.
      return held.get();
    }
    if (table.isWaiting(request.id())) {
      Workflow.await(() -> table.lease(request.id()).isPresent() || !table.isWaiting(request.id()));
      return table
          .lease(request.id())
          .orElseThrow(
              () ->
                  ApplicationFailure.newNonRetryableFailure(
                      "lease " + request.id() + " can no longer be granted", "LeaseRefused"));
    }
    long asked = now();
    LeaseTable.Outcome outcome = table.request(request, asked);
    if (outcome.refused() != null) {
      record("LeaseRefused", "lease " + request.id() + " refused: " + outcome.refused());
      throw ApplicationFailure.newNonRetryableFailure(outcome.refused(), "LeaseRefused");
    }
    if (outcome.waiting()) {
      record(
          "LeaseQueued",
          "lease "
              + request.id()
              + " waits for "
              + request.count()
              + " devices, "
              + outcome.position()
              + " in line");
      Workflow.await(() -> table.lease(request.id()).isPresent() || !table.isWaiting(request.id()));
    }
    LeaseTable.Lease lease =
        table
            .lease(request.id())
            .orElseThrow(
                () ->
                    ApplicationFailure.newNonRetryableFailure(
                        "lease "
                            + request.id()
                            + " can no longer be granted: the fleet lost the devices it needs",
                        "LeaseRefused"));
    Workflow.getMetricsScope()
        .timer("capstan_gpu_lease_wait")
        .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, now() - asked)));
    record(
        "LeaseGranted",
        "lease " + lease.id() + " granted devices " + lease.devices() + " on " + lease.host());
    return lease;
  }

  @Override
  public void validateAcquire(LeaseTable.Request request) {
    if (request == null || request.id() == null || request.id().isBlank()) {
      throw new IllegalArgumentException("a lease request needs an id (the task attempt's)");
    }
    if (request.count() < 1) {
      throw new IllegalArgumentException(
          "a lease is for at least one device, not " + request.count());
    }
  }

  @Override
  public void release(String leaseId) {
    if (table.lease(leaseId).isEmpty() && !table.isWaiting(leaseId)) {
      return;
    }
    table.release(leaseId, now());
    holders.remove(leaseId);
    unanswered.remove(leaseId);
    record("LeaseReleased", "lease " + leaseId + " released");
    validateDrained();
    answerRequesters();
  }

  @Override
  public void requestLease(LeaseRequest request) {
    LeaseTable.Request wanted = request.request();
    String id = wanted == null ? null : wanted.id();
    if (id == null || id.isBlank() || request.replyTo() == null) {
      record("LeaseRefused", "a lease request without an id or a requester was ignored");
      return;
    }
    if (table.lease(id).isPresent()) {
      // Asked again (the requester's signal was retried): the answer goes again.
      holders.put(id, request.replyTo());
      unanswered.add(id);
      answerRequesters();
      return;
    }
    if (table.isWaiting(id)) {
      return;
    }
    LeaseTable.Outcome outcome = table.request(wanted, now());
    if (outcome.refused() != null) {
      record("LeaseRefused", "lease " + id + " refused: " + outcome.refused());
      refuse(request.replyTo(), id, outcome.refused());
      return;
    }
    holders.put(id, request.replyTo());
    unanswered.add(id);
    requestedAt.put(id, now());
    if (outcome.waiting()) {
      record(
          "LeaseQueued",
          "lease "
              + id
              + " for "
              + request.replyTo()
              + " waits for "
              + wanted.count()
              + " devices, "
              + outcome.position()
              + " in line");
    }
    answerRequesters();
  }

  @Override
  public void quarantine(DeviceRef device) {
    try {
      table.quarantine(device.host(), device.device(), now());
      String key = device.host() + "/" + device.device();
      validating.remove(key);
      validations.merge(key, 1, Integer::sum);
    } catch (IllegalArgumentException unknown) {
      record("QuarantineIgnored", unknown.getMessage());
      return;
    }
    record(
        "Quarantined",
        "device "
            + device.device()
            + " of "
            + device.host()
            + " quarantined"
            + (device.reason() == null ? "" : ": " + device.reason()));
    validateDrained();
  }

  @Override
  public FleetStatus status() {
    return new FleetStatus(
        table.devices(),
        table.leases(),
        Map.copyOf(holders),
        table.waiting().stream().map(LeaseTable.Request::id).toList(),
        List.copyOf(events),
        table.offline());
  }

  // ---------------------------------------------------------------------------------------------

  /** Starts the burn-in of every drained quarantined device. */
  private void validateDrained() {
    table
        .devices()
        .forEach(
            (host, devices) -> {
              for (LeaseTable.DeviceView device : devices) {
                if (device.health() == LeaseTable.Health.VALIDATING && device.lease() == null) {
                  validate(host, device.index());
                }
              }
            });
  }

  private void validate(String host, int device) {
    String key = host + "/" + device;
    if (validating.contains(key) || table.offline().contains(host)) {
      return;
    }
    validating.add(key);
    int generation = validations.merge(key, 1, Integer::sum);
    record("Validating", "device " + device + " of " + host + " drained: burn-in starts");
    GpuActivities gpus =
        Workflow.newActivityStub(
            GpuActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.gpu(host))
                // A burn-in that never gets a verdict (its host went away) ends, and the device
                // waits, validating, for its host to come back.
                .setScheduleToCloseTimeout(validation.duration().plusMinutes(10))
                .setStartToCloseTimeout(validation.duration().plusMinutes(5))
                .setHeartbeatTimeout(Duration.ofMinutes(1))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(2).build())
                .build());
    GpuActivities.BurnInRequest request =
        new GpuActivities.BurnInRequest(
            List.of(device),
            validation.precision(),
            validation.matrixSize(),
            validation.duration(),
            validation.window(),
            validation.minTflops());
    Async.function(gpus::burnIn, request)
        .handle(
            (result, failure) -> {
              if (!Integer.valueOf(generation).equals(validations.get(key))) {
                // An operator restored (or quarantined again) the device meanwhile.
                return null;
              }
              validating.remove(key);
              if (failure != null || result.devices().isEmpty()) {
                // No verdict: the device stays validating until its host is back.
                record(
                    "ValidationIncomplete",
                    "device "
                        + device
                        + " of "
                        + host
                        + " got no burn-in verdict ("
                        + (failure != null ? reason(failure) : "no result")
                        + "): it stays out of service and is burned in when its host registers"
                        + " again");
                return null;
              }
              boolean passed = result.passed();
              String why = result.devices().get(0).failure();
              try {
                table.validated(host, device, passed, now());
              } catch (IllegalArgumentException gone) {
                record("ValidationIgnored", gone.getMessage());
                return null;
              }
              answerRequesters();
              record(
                  passed ? "Restored" : "Retired",
                  "device "
                      + device
                      + " of "
                      + host
                      + (passed
                          ? " passed its burn-in: back in service"
                          : " failed its burn-in and is retired: " + why));
              return null;
            });
  }

  /**
   * Watches a host's liveness, replacing an earlier watch: a host that registers again (its worker
   * restarted) must not be lost when the old worker's watch times out.
   */
  private void watch(String host) {
    CancellationScope earlier = watches.remove(host);
    int generation = generations.merge(host, 1, Integer::sum);
    if (earlier != null) {
      earlier.cancel();
    }
    HostActivities stub =
        Workflow.newActivityStub(
            HostActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(TaskQueues.gpu(host))
                .setStartToCloseTimeout(WATCH_SPAN)
                // A host whose worker is gone never picks its watch up: that is lost too.
                .setScheduleToStartTimeout(liveness)
                .setHeartbeatTimeout(liveness)
                .setCancellationType(ActivityCancellationType.TRY_CANCEL)
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    CancellationScope scope =
        Workflow.newCancellationScope(
            () ->
                Async.procedure(stub::watch, host)
                    .handle(
                        (ok, failure) -> {
                          if (generations.get(host) == null
                              || generations.get(host) != generation) {
                            // Replaced by a newer watch, or the host is gone already.
                            return null;
                          }
                          watches.remove(host);
                          if (failure == null || ranItsSpan(failure)) {
                            // The watch ran its span (a host ends it just before, an older one
                            // may time out at it): a fresh one goes on.
                            watch(host);
                            return null;
                          }
                          generations.remove(host);
                          List<LeaseTable.Lease> revoked = table.lose(host, now());
                          for (LeaseTable.Lease lease : revoked) {
                            String holder = holders.remove(lease.id());
                            if (holder != null) {
                              GpuTaskWorkflow task =
                                  Workflow.newExternalWorkflowStub(GpuTaskWorkflow.class, holder);
                              signalsInFlight++;
                              Async.procedure(
                                      task::leaseRevoked,
                                      new LeaseRefusal(
                                          lease.id(),
                                          "host " + host + " stopped heartbeating",
                                          true))
                                  .handle(
                                      (delivered, gone) -> {
                                        signalsInFlight--;
                                        return null;
                                      });
                            }
                          }
                          answerRequesters();
                          record(
                              "HostLost",
                              "host "
                                  + host
                                  + " stopped heartbeating ("
                                  + reason(failure)
                                  + "): "
                                  + (revoked.isEmpty()
                                      ? "it held no lease"
                                      : "revoked leases "
                                          + revoked.stream().map(LeaseTable.Lease::id).toList()));
                          return null;
                        }));
    watches.put(host, scope);
    scope.run();
  }

  /**
   * Sends each requester by signal its answer once there is one: its lease, or why it can no longer
   * be granted (the fleet shrank under a waiting request). A grant that cannot be delivered, since
   * its requester has ended, is released: no lease outlives the workflow that asked for it.
   */
  private void answerRequesters() {
    for (String id : List.copyOf(unanswered)) {
      java.util.Optional<LeaseTable.Lease> lease = table.lease(id);
      String requester = holders.get(id);
      if (lease.isPresent()) {
        unanswered.remove(id);
        leaseWaited(id, now());
        record(
            "LeaseGranted",
            "lease "
                + id
                + " granted devices "
                + lease.get().devices()
                + " on "
                + lease.get().host()
                + " to "
                + requester);
        GpuTaskWorkflow holder = Workflow.newExternalWorkflowStub(GpuTaskWorkflow.class, requester);
        signalsInFlight++;
        Async.procedure(holder::leaseGranted, lease.get())
            .handle(
                (ok, undelivered) -> {
                  signalsInFlight--;
                  if (undelivered == null) {
                    return null;
                  }
                  record(
                      "LeaseUndelivered",
                      "lease " + id + " released: its requester " + requester + " has ended");
                  release(id);
                  return null;
                });
      } else if (!table.isWaiting(id)) {
        unanswered.remove(id);
        holders.remove(id);
        requestedAt.remove(id);
        String why = "the fleet no longer has the devices it needs";
        record("LeaseRefused", "lease " + id + " refused: " + why);
        refuse(requester, id, why);
      }
    }
  }

  private void refuse(String requester, String id, String why) {
    GpuTaskWorkflow holder = Workflow.newExternalWorkflowStub(GpuTaskWorkflow.class, requester);
    signalsInFlight++;
    Async.procedure(holder::leaseRefused, new LeaseRefusal(id, why, false))
        .handle(
            (ok, undelivered) -> {
              signalsInFlight--;
              if (undelivered != null) {
                LOG.info("gpu fleet: the refusal of lease {} found no requester", id);
              }
              return null;
            });
  }

  /**
   * The fleet's gauges, in Prometheus terms on the worker's {@code /metrics} (the SDK suppresses
   * them while replaying): devices by state, leases held and requests waiting.
   */
  private void publishGauges() {
    Map<LeaseTable.Health, Integer> byState = new java.util.EnumMap<>(LeaseTable.Health.class);
    for (LeaseTable.Health health : LeaseTable.Health.values()) {
      byState.put(health, 0);
    }
    table
        .devices()
        .values()
        .forEach(list -> list.forEach(d -> byState.merge(d.health(), 1, Integer::sum)));
    byState.forEach(
        (health, count) ->
            Workflow.getMetricsScope()
                .tagged(Map.of("state", health.name().toLowerCase(java.util.Locale.ROOT)))
                .gauge("capstan_gpu_devices")
                .update(count));
    Workflow.getMetricsScope().gauge("capstan_gpu_leases_held").update(table.leases().size());
    Workflow.getMetricsScope()
        .gauge("capstan_gpu_lease_requests_waiting")
        .update(table.waiting().size());
  }

  /** How long a granted request waited, from its arrival: the lease wait time histogram. */
  private void leaseWaited(String id, long grantedAt) {
    Long asked = requestedAt.remove(id);
    if (asked != null) {
      Workflow.getMetricsScope()
          .timer("capstan_gpu_lease_wait")
          .record(com.uber.m3.util.Duration.ofMillis(Math.max(0, grantedAt - asked)));
    }
  }

  private void record(String type, String message) {
    LOG.info("gpu fleet: {}", message);
    publishGauges();
    if (type.equals("Quarantined")) {
      Workflow.getMetricsScope().counter("capstan_gpu_quarantines").inc(1);
    }
    events.add(new FleetEvent(Instant.ofEpochMilli(now()).toString(), type, message));
    if (events.size() > EVENTS_KEPT) {
      events.remove(0);
    }
  }

  /** Whether a watch ended at its start-to-close limit: the host lived all along. */
  private static boolean ranItsSpan(Throwable failure) {
    return failure instanceof ActivityFailure activity
        && activity.getCause() instanceof io.temporal.failure.TimeoutFailure timeout
        && timeout.getTimeoutType()
            == io.temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_START_TO_CLOSE;
  }

  private static String reason(Throwable failure) {
    String message = failure.getMessage();
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof io.temporal.failure.TemporalFailure temporal
          && temporal.getOriginalMessage() != null
          && !temporal.getOriginalMessage().isBlank()) {
        message = temporal.getOriginalMessage();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    if (failure instanceof ActivityFailure activity
        && activity.getCause() instanceof io.temporal.failure.TimeoutFailure timeout) {
      message = "no heartbeat within the liveness timeout (" + timeout.getTimeoutType() + ")";
    }
    return message;
  }

  private static long now() {
    return Workflow.currentTimeMillis();
  }
}
