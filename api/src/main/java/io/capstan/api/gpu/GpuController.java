package io.capstan.api.gpu;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.http.BadRequestException;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.RequestBodies;
import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.capstan.workflows.gpu.LeaseTable;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code /api/v1/gpu} routes: the GPU fleet as operators look at it (hosts, devices and their
 * health, leases and who holds them, requests waiting, recent events), and the operator's two
 * levers, quarantine and restore. The fleet is shared by every namespace, so these routes are an
 * admin's (its leases name other tenants' runs).
 */
public final class GpuController {
  /** How many of the fleet's recent events the answer carries. */
  static final int EVENTS_SHOWN = 50;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final WorkflowClient client;

  public GpuController(WorkflowClient client) {
    this.client = client;
  }

  /** {@code GET /api/v1/gpu}: the fleet, or {@code running: false} before any host joined. */
  public void get(Context ctx) {
    Optional<GpuFleetWorkflow.FleetStatus> status = status();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("fleet", GpuFleetWorkflow.ID);
    body.put("running", status.isPresent());
    if (status.isEmpty()) {
      body.put("hosts", Map.of());
      body.put(
          "note",
          "no GPU host has joined: `capstan up` runs simulated ones, `capstan worker --role gpu`"
              + " serves a machine's GPUs");
      ctx.json(body);
      return;
    }
    GpuFleetWorkflow.FleetStatus fleet = status.get();
    Map<String, Object> hosts = new LinkedHashMap<>();
    Map<String, Integer> byHealth = new LinkedHashMap<>();
    fleet
        .hosts()
        .forEach(
            (host, devices) -> {
              hosts.put(host, devices);
              devices.forEach(d -> byHealth.merge(d.health().name(), 1, Integer::sum));
            });
    body.put("devices", byHealth);
    body.put("hosts", hosts);
    body.put("offline", fleet.offline() == null ? List.of() : fleet.offline());
    Map<String, Object> leases = new LinkedHashMap<>();
    fleet
        .leases()
        .forEach(
            (id, lease) -> {
              Map<String, Object> view = new LinkedHashMap<>();
              view.put("host", lease.host());
              view.put("devices", lease.devices());
              view.put("grantedAt", java.time.Instant.ofEpochMilli(lease.grantedAtMillis()));
              view.put("holder", fleet.holders().get(id));
              leases.put(id, view);
            });
    body.put("leases", leases);
    body.put("waiting", fleet.waiting());
    List<GpuFleetWorkflow.FleetEvent> events = fleet.events();
    body.put("events", events.subList(Math.max(0, events.size() - EVENTS_SHOWN), events.size()));
    ctx.json(body);
  }

  /**
   * {@code POST /api/v1/gpu/hosts/{host}/devices/{device}/quarantine}, body optional {@code
   * {reason}}: 202; the device takes no new lease, drains, and is burned in again.
   */
  public void quarantine(Context ctx) {
    GpuFleetWorkflow.DeviceRef device = device(ctx);
    fleet().quarantine(device);
    ctx.status(HttpStatus.ACCEPTED).json(answer(device, "quarantine"));
  }

  /**
   * {@code POST /api/v1/gpu/hosts/{host}/devices/{device}/restore}, body optional {@code {reason}}:
   * 202; the device is back in service at once (replaced, or cleared by diagnostics).
   */
  public void restore(Context ctx) {
    GpuFleetWorkflow.DeviceRef device = device(ctx);
    fleet().restore(device);
    ctx.status(HttpStatus.ACCEPTED).json(answer(device, "restore"));
  }

  private static Map<String, Object> answer(GpuFleetWorkflow.DeviceRef device, String action) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("host", device.host());
    body.put("device", device.device());
    body.put("action", action);
    if (device.reason() != null) {
      body.put("reason", device.reason());
    }
    return body;
  }

  /** The device the path names, checked against the fleet so a typo is a 404, not a no-op. */
  private GpuFleetWorkflow.DeviceRef device(Context ctx) {
    String host = ctx.pathParam("host");
    String text = ctx.pathParam("device");
    int index;
    try {
      index = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw new BadRequestException(
          "device '" + text + "' is not a device index",
          List.of(ErrorDetail.at("device", "give the device's index on its host: 0, 1, …")));
    }
    String reason = reason(ctx);
    GpuFleetWorkflow.FleetStatus fleet =
        status()
            .orElseThrow(
                () ->
                    new GpuDeviceNotFoundException(
                        "no GPU fleet is running", "no GPU host has joined yet"));
    List<LeaseTable.DeviceView> devices = fleet.hosts().get(host);
    if (devices == null) {
      throw new GpuDeviceNotFoundException(
          "the GPU fleet has no host '" + host + "'",
          fleet.hosts().isEmpty()
              ? "it has no host"
              : "its hosts: " + String.join(", ", fleet.hosts().keySet()));
    }
    if (devices.stream().noneMatch(d -> d.index() == index)) {
      throw new GpuDeviceNotFoundException(
          "host " + host + " has no device " + index,
          "its devices: "
              + devices.stream()
                  .map(d -> Integer.toString(d.index()))
                  .collect(Collectors.joining(", ")));
    }
    return new GpuFleetWorkflow.DeviceRef(host, index, reason);
  }

  private static String reason(Context ctx) {
    String text = RequestBodies.readText(ctx);
    if (text.isBlank()) {
      return null;
    }
    JsonNode body;
    try {
      body = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "the body is not JSON", List.of(ErrorDetail.at("", e.getOriginalMessage())));
    }
    if (!body.isObject()
        || (body.has("reason") && !body.path("reason").isTextual())
        || body.size() > (body.has("reason") ? 1 : 0)) {
      throw new BadRequestException(
          "the body takes only {\"reason\": \"...\"}",
          List.of(ErrorDetail.at("", "send {\"reason\": \"why\"} or nothing")));
    }
    return body.has("reason") ? body.path("reason").asText() : null;
  }

  private Optional<GpuFleetWorkflow.FleetStatus> status() {
    try {
      return Optional.of(fleet().status());
    } catch (WorkflowNotFoundException notRunning) {
      return Optional.empty();
    }
  }

  private GpuFleetWorkflow fleet() {
    return client.newWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID);
  }
}
