package io.capstan.workflows.gpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The GPU fleet's devices and who holds them, as pure bookkeeping for the fleet entity: hosts
 * register their devices and are seen alive; requests for N devices (optionally of a name, with
 * labels, on the host of an earlier lease, away from some hosts) are granted a host and device
 * indices or wait their turn, first come first served; leases are released, or revoked when their
 * host is lost. A device is never in two leases, and a device out of service (quarantined,
 * validating, retired) is never leased. Time is the caller's (workflow time).
 *
 * <p>Fairness: waiting requests are granted strictly in arrival order; a request that could never
 * be granted with the fleet as it is (more devices than any matching host has in service) is
 * refused at once rather than blocking everyone behind it.
 */
public final class LeaseTable {
  /** Whether a device may be leased. */
  public enum Health {
    IN_SERVICE,
    /** Taken out of service; its lease, if any, runs to its end (drain), then it is validated. */
    QUARANTINED,
    /** Drained and awaiting (or running) its re-validation. */
    VALIDATING,
    /** Failed re-validation: out of service for good, until an operator releases it. */
    RETIRED
  }

  /** One device of a host. */
  public record Device(int index, String name, Map<String, String> labels) {}

  /**
   * A request for devices.
   *
   * @param deviceName only devices of this name (e.g. {@code NVIDIA H200}); null for any
   * @param labels only hosts whose devices carry these labels
   * @param host only this host (a task's {@code sameHostAs}, resolved to the host the earlier task
   *     ran on); null for any host
   * @param excludedHosts never these hosts (a retry after its host was lost)
   * @param ttlMillis how long a granted lease may be held before the fleet takes it back (its
   *     holder can no longer be using it: its attempt has timed out); null for no limit
   */
  // Requests recorded before a field was renamed or dropped still read: a fleet lives for years.
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  public record Request(
      String id,
      int count,
      String deviceName,
      Map<String, String> labels,
      String host,
      Set<String> excludedHosts,
      Long ttlMillis) {
    public Request {
      labels = labels == null ? Map.of() : Map.copyOf(labels);
      excludedHosts = excludedHosts == null ? Set.of() : Set.copyOf(excludedHosts);
    }

    /** A request whose lease is held until released or revoked. */
    public Request(
        String id,
        int count,
        String deviceName,
        Map<String, String> labels,
        String host,
        Set<String> excludedHosts) {
      this(id, count, deviceName, labels, host, excludedHosts, null);
    }
  }

  /**
   * Devices granted to a request.
   *
   * @param expiresAtMillis when the fleet takes the lease back; null for never
   */
  @com.fasterxml.jackson.annotation.JsonIgnoreProperties(ignoreUnknown = true)
  public record Lease(
      String id, String host, List<Integer> devices, long grantedAtMillis, Long expiresAtMillis) {
    public Lease(String id, String host, List<Integer> devices, long grantedAtMillis) {
      this(id, host, devices, grantedAtMillis, null);
    }
  }

  /** What became of a request when it came in. */
  public record Outcome(Lease granted, String refused, int position) {
    public boolean waiting() {
      return granted == null && refused == null;
    }
  }

  /** A grant, release or revocation, in order: the log a test checks for double leases. */
  public record Event(
      long atMillis, String type, String lease, String host, List<Integer> devices) {}

  private static final class Host {
    final Map<Integer, Device> devices = new LinkedHashMap<>();
    final Map<Integer, Health> health = new LinkedHashMap<>();
    final Map<Integer, String> holder = new LinkedHashMap<>();

    /** When the host was lost; null while it is online. */
    Long lostAtMillis;
  }

  /**
   * How long a lost host is remembered: its devices' health stays (a retired device must not come
   * back by a network blip), and requests it could serve keep waiting for it.
   */
  public static final long OFFLINE_GRACE_MILLIS = 10 * 60 * 1000L;

  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final Map<String, Lease> leases = new LinkedHashMap<>();

  private final List<Request> waiting = new ArrayList<>();

  /** The latest {@link #EVENTS_KEPT} events: a fleet lives long, and its memory must not grow. */
  private final java.util.ArrayDeque<Event> events = new java.util.ArrayDeque<>();

  public static final int EVENTS_KEPT = 1000;

  /**
   * The table as a value a continued fleet starts from: every host's devices, health and holders,
   * the leases and the waiting requests, in order. (The event log is not carried: it is bounded and
   * the fleet's history has it.)
   */
  public record Snapshot(
      Map<String, HostSnapshot> hosts, List<Lease> leases, List<Request> waiting) {}

  /** One host's part of a {@link Snapshot}; device indices as map keys. */
  public record HostSnapshot(
      List<Device> devices,
      Map<Integer, Health> health,
      Map<Integer, String> holder,
      Long lostAtMillis) {}

  public Snapshot snapshot() {
    Map<String, HostSnapshot> view = new LinkedHashMap<>();
    hosts.forEach(
        (name, host) ->
            view.put(
                name,
                new HostSnapshot(
                    List.copyOf(host.devices.values()),
                    new LinkedHashMap<>(host.health),
                    new LinkedHashMap<>(host.holder),
                    host.lostAtMillis)));
    return new Snapshot(view, List.copyOf(leases.values()), List.copyOf(waiting));
  }

  /** A table as {@code snapshot} left it. */
  public static LeaseTable restore(Snapshot snapshot) {
    LeaseTable table = new LeaseTable();
    if (snapshot == null) {
      return table;
    }
    snapshot
        .hosts()
        .forEach(
            (name, saved) -> {
              Host host = new Host();
              saved.devices().forEach(d -> host.devices.put(d.index(), d));
              host.health.putAll(saved.health());
              host.holder.putAll(saved.holder());
              host.lostAtMillis = saved.lostAtMillis();
              table.hosts.put(name, host);
            });
    snapshot.leases().forEach(lease -> table.leases.put(lease.id(), lease));
    table.waiting.addAll(snapshot.waiting());
    return table;
  }

  /**
   * An operator's word that a device is good again (replaced, or cleared by the vendor's tools):
   * back in service from any health, and granted to what waits.
   */
  public List<Lease> restoreDevice(String host, int device, long nowMillis) {
    Host entry = requireHost(host, device);
    entry.health.put(device, Health.IN_SERVICE);
    log(new Event(nowMillis, "restore", null, host, List.of(device)));
    return grantWaiting(nowMillis);
  }

  /** A host's devices, as it registers (again after a restart): leases held on it stay. */
  public List<Lease> register(String host, List<Device> devices, long nowMillis) {
    Host entry = hosts.computeIfAbsent(host, h -> new Host());
    entry.lostAtMillis = null;
    entry.devices.clear();
    for (Device device : devices) {
      entry.devices.put(device.index(), device);
      entry.health.putIfAbsent(device.index(), Health.IN_SERVICE);
    }
    return grantWaiting(nowMillis);
  }

  /** Grants the request now, queues it, or refuses it when it could never be granted. */
  public Outcome request(Request request, long nowMillis) {
    if (request.count() < 1) {
      return new Outcome(null, "a lease is for at least one device", -1);
    }
    Optional<String> impossible = impossible(request);
    if (impossible.isPresent()) {
      return new Outcome(null, impossible.get(), -1);
    }
    if (waiting.isEmpty()) {
      Optional<Lease> lease = tryGrant(request, nowMillis);
      if (lease.isPresent()) {
        return new Outcome(lease.get(), null, 0);
      }
    }
    waiting.add(request);
    return new Outcome(null, null, waiting.size());
  }

  /** Frees a lease's devices and grants what waits; an unknown lease is no error. */
  public List<Lease> release(String leaseId, long nowMillis) {
    Lease lease = leases.remove(leaseId);
    waiting.removeIf(r -> r.id().equals(leaseId));
    if (lease == null) {
      return List.of();
    }
    Host host = hosts.get(lease.host());
    if (host != null) {
      for (int device : lease.devices()) {
        host.holder.remove(device);
        if (host.health.get(device) == Health.QUARANTINED) {
          // Drained: its re-validation may start.
          host.health.put(device, Health.VALIDATING);
        }
      }
    }
    log(new Event(nowMillis, "release", leaseId, lease.host(), lease.devices()));
    return grantWaiting(nowMillis);
  }

  /**
   * Takes a host that stopped answering (its liveness watch timed out) offline and revokes its
   * leases; answers them, and grants what waits that the rest of the fleet can take. The host's
   * devices keep their health, and requests only it could serve wait for it, for {@link
   * #OFFLINE_GRACE_MILLIS}; then {@link #forgetOffline} drops it.
   */
  public List<Lease> lose(String host, long nowMillis) {
    List<Lease> revoked = new ArrayList<>();
    for (Lease lease : List.copyOf(leases.values())) {
      if (lease.host().equals(host)) {
        leases.remove(lease.id());
        revoked.add(lease);
        log(new Event(nowMillis, "revoke", lease.id(), host, lease.devices()));
      }
    }
    Host entry = hosts.get(host);
    if (entry != null) {
      entry.holder.clear();
      entry.lostAtMillis = nowMillis;
    }
    grantWaiting(nowMillis);
    return revoked;
  }

  /** Forgets the hosts offline past the grace period; answers their names. */
  public List<String> forgetOffline(long nowMillis) {
    List<String> gone = new ArrayList<>();
    hosts
        .entrySet()
        .removeIf(
            entry -> {
              Long lost = entry.getValue().lostAtMillis;
              boolean forget = lost != null && lost + OFFLINE_GRACE_MILLIS <= nowMillis;
              if (forget) {
                gone.add(entry.getKey());
              }
              return forget;
            });
    if (!gone.isEmpty()) {
      grantWaiting(nowMillis);
    }
    return gone;
  }

  /** When the next offline host is to be forgotten; null when none is offline. */
  public Long nextForget() {
    Long next = null;
    for (Host host : hosts.values()) {
      if (host.lostAtMillis != null) {
        long at = host.lostAtMillis + OFFLINE_GRACE_MILLIS;
        next = next == null ? at : Math.min(next, at);
      }
    }
    return next;
  }

  /** The hosts that are offline (lost, within the grace period). */
  public List<String> offline() {
    return hosts.entrySet().stream()
        .filter(e -> e.getValue().lostAtMillis != null)
        .map(Map.Entry::getKey)
        .toList();
  }

  /**
   * Takes back the leases whose time is up (their holders' attempts have ended without a release: a
   * holder terminated outright) and grants what waits; answers the leases taken back.
   */
  public List<Lease> expire(long nowMillis) {
    List<Lease> expired = new ArrayList<>();
    for (Lease lease : List.copyOf(leases.values())) {
      if (lease.expiresAtMillis() != null && lease.expiresAtMillis() <= nowMillis) {
        leases.remove(lease.id());
        Host host = hosts.get(lease.host());
        if (host != null) {
          for (int device : lease.devices()) {
            host.holder.remove(device);
            if (host.health.get(device) == Health.QUARANTINED) {
              host.health.put(device, Health.VALIDATING);
            }
          }
        }
        log(new Event(nowMillis, "expire", lease.id(), lease.host(), lease.devices()));
        expired.add(lease);
      }
    }
    if (!expired.isEmpty()) {
      grantWaiting(nowMillis);
    }
    return expired;
  }

  /** When the next lease expires; null when none will. */
  public Long nextExpiry() {
    Long next = null;
    for (Lease lease : leases.values()) {
      if (lease.expiresAtMillis() != null && (next == null || lease.expiresAtMillis() < next)) {
        next = lease.expiresAtMillis();
      }
    }
    return next;
  }

  /** Every device by host, with its health and the lease holding it (null when free). */
  public Map<String, List<DeviceView>> devices() {
    Map<String, List<DeviceView>> view = new LinkedHashMap<>();
    hosts.forEach(
        (name, host) -> {
          List<DeviceView> devices = new ArrayList<>();
          host.devices
              .values()
              .forEach(
                  d ->
                      devices.add(
                          new DeviceView(
                              d.index(),
                              d.name(),
                              host.health.get(d.index()),
                              host.holder.get(d.index()))));
          view.put(name, devices);
        });
    return view;
  }

  /** A device as the fleet's status shows it. */
  public record DeviceView(int index, String name, Health health, String lease) {}

  /** Takes a device out of service; a lease on it runs to its end first. */
  public void quarantine(String host, int device, long nowMillis) {
    Host entry = requireHost(host, device);
    entry.health.put(
        device, entry.holder.containsKey(device) ? Health.QUARANTINED : Health.VALIDATING);
    log(new Event(nowMillis, "quarantine", null, host, List.of(device)));
  }

  /** The outcome of a device's re-validation: back in service, or retired. */
  public List<Lease> validated(String host, int device, boolean passed, long nowMillis) {
    Host entry = requireHost(host, device);
    entry.health.put(device, passed ? Health.IN_SERVICE : Health.RETIRED);
    log(new Event(nowMillis, passed ? "restore" : "retire", null, host, List.of(device)));
    return passed ? grantWaiting(nowMillis) : List.of();
  }

  public Health health(String host, int device) {
    return requireHost(host, device).health.get(device);
  }

  /** The lease of request {@code id}, once granted and until released or revoked. */
  public Optional<Lease> lease(String id) {
    return Optional.ofNullable(leases.get(id));
  }

  /** Whether request {@code id} waits for devices. */
  public boolean isWaiting(String id) {
    return waiting.stream().anyMatch(r -> r.id().equals(id));
  }

  public Map<String, Lease> leases() {
    return Map.copyOf(leases);
  }

  public List<Request> waiting() {
    return List.copyOf(waiting);
  }

  public List<Event> events() {
    return List.copyOf(events);
  }

  private void log(Event event) {
    events.addLast(event);
    if (events.size() > EVENTS_KEPT) {
      events.removeFirst();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private List<Lease> grantWaiting(long nowMillis) {
    List<Lease> granted = new ArrayList<>();
    while (!waiting.isEmpty()) {
      Request head = waiting.get(0);
      Optional<String> impossible = impossible(head);
      if (impossible.isPresent()) {
        // The fleet shrank under it (a host gone, a device retired): it cannot wait for ever.
        waiting.remove(0);
        continue;
      }
      Optional<Lease> lease = tryGrant(head, nowMillis);
      if (lease.isEmpty()) {
        break;
      }
      waiting.remove(0);
      granted.add(lease.get());
    }
    return granted;
  }

  private Optional<Lease> tryGrant(Request request, long nowMillis) {
    for (Map.Entry<String, Host> entry : hosts.entrySet()) {
      if (!eligible(request, entry.getKey()) || !online(entry.getKey())) {
        continue;
      }
      List<Integer> free = new ArrayList<>();
      for (Device device : entry.getValue().devices.values()) {
        if (matches(request, device)
            && entry.getValue().health.get(device.index()) == Health.IN_SERVICE
            && !entry.getValue().holder.containsKey(device.index())) {
          free.add(device.index());
        }
      }
      if (free.size() >= request.count()) {
        List<Integer> chosen = List.copyOf(free.subList(0, request.count()));
        for (int device : chosen) {
          entry.getValue().holder.put(device, request.id());
        }
        Lease lease =
            new Lease(
                request.id(),
                entry.getKey(),
                chosen,
                nowMillis,
                request.ttlMillis() == null ? null : nowMillis + request.ttlMillis());
        leases.put(request.id(), lease);
        log(new Event(nowMillis, "grant", request.id(), entry.getKey(), chosen));
        return Optional.of(lease);
      }
    }
    return Optional.empty();
  }

  /** Why no host could ever grant the request as the fleet is; empty when one could. */
  private Optional<String> impossible(Request request) {
    int best = 0;
    for (Map.Entry<String, Host> entry : hosts.entrySet()) {
      if (!eligible(request, entry.getKey())) {
        continue;
      }
      int usable = 0;
      for (Device device : entry.getValue().devices.values()) {
        Health health = entry.getValue().health.get(device.index());
        if (matches(request, device) && health != Health.RETIRED) {
          usable++;
        }
      }
      best = Math.max(best, usable);
    }
    if (best >= request.count()) {
      return Optional.empty();
    }
    return Optional.of(
        request.count()
            + " device"
            + (request.count() == 1 ? "" : "s")
            + (request.deviceName() == null ? "" : " of " + request.deviceName())
            + (request.host() == null ? "" : " on host " + request.host())
            + " cannot be granted: the most any host has is "
            + best);
  }

  private boolean online(String host) {
    Host entry = hosts.get(host);
    return entry != null && entry.lostAtMillis == null;
  }

  private boolean eligible(Request request, String host) {
    if (request.excludedHosts().contains(host)) {
      return false;
    }
    if (request.host() != null) {
      return host.equals(request.host());
    }
    return true;
  }

  private static boolean matches(Request request, Device device) {
    if (request.deviceName() != null && !request.deviceName().equals(device.name())) {
      return false;
    }
    for (Map.Entry<String, String> label : request.labels().entrySet()) {
      if (!label.getValue().equals(device.labels().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private Host requireHost(String host, int device) {
    Host entry = hosts.get(host);
    if (entry == null || !entry.devices.containsKey(device)) {
      throw new IllegalArgumentException("no device " + device + " on host " + host);
    }
    return entry;
  }
}
