package io.capstan.workflows.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The GPU lease table")
class LeaseTableTest {
  static List<LeaseTable.Device> devices(int count) {
    List<LeaseTable.Device> devices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      devices.add(new LeaseTable.Device(i, "NVIDIA H200", Map.of("zone", "a")));
    }
    return devices;
  }

  static LeaseTable.Request request(String id, int count) {
    return new LeaseTable.Request(id, count, null, null, null, null);
  }

  static LeaseTable fleet(int hosts, int each) {
    LeaseTable table = new LeaseTable();
    for (int h = 1; h <= hosts; h++) {
      table.register("gpu-" + h, devices(each), 0);
    }
    return table;
  }

  @Test
  @DisplayName(
      "100 requests over 3 hosts × 4 devices: never a device in two leases, every lease released")
  void neverDoubleLeased() {
    LeaseTable table = fleet(3, 4);
    Random random = new Random(7);
    List<String> held = new ArrayList<>();
    long now = 0;
    for (int i = 0; i < 100; i++) {
      LeaseTable.Outcome outcome =
          table.request(request("task-" + i, 1 + random.nextInt(4)), ++now);
      if (outcome.granted() != null) {
        held.add(outcome.granted().id());
      }
      if (!held.isEmpty() && random.nextBoolean()) {
        String done = held.remove(random.nextInt(held.size()));
        table.release(done, ++now).forEach(l -> held.add(l.id()));
      }
    }
    while (!held.isEmpty()) {
      table.release(held.remove(0), ++now).forEach(l -> held.add(l.id()));
    }

    // Replay the log: a grant never takes a device some lease holds.
    Map<String, String> holder = new HashMap<>();
    int grants = 0;
    for (LeaseTable.Event event : table.events()) {
      for (int device : event.devices()) {
        String key = event.host() + "/" + device;
        if (event.type().equals("grant")) {
          assertThat(holder).as("%s granted to %s", key, event.lease()).doesNotContainKey(key);
          holder.put(key, event.lease());
        } else if (event.type().equals("release")) {
          assertThat(holder.remove(key)).isEqualTo(event.lease());
        }
      }
      if (event.type().equals("grant")) {
        grants++;
      }
    }
    assertThat(grants).isEqualTo(100);
    assertThat(holder).isEmpty();
    assertThat(table.leases()).isEmpty();
    assertThat(table.waiting()).isEmpty();
  }

  @Test
  @DisplayName(
      "waiting requests are granted in arrival order: a small late one does not jump the queue")
  void firstComeFirstServed() {
    LeaseTable table = fleet(1, 4);
    table.request(request("a", 3), 1);
    assertThat(table.request(request("big", 4), 2).position()).isEqualTo(1);
    assertThat(table.request(request("small", 1), 3).position()).isEqualTo(2);

    assertThat(table.release("a", 4)).extracting(LeaseTable.Lease::id).containsExactly("big");
    assertThat(table.release("big", 5)).extracting(LeaseTable.Lease::id).containsExactly("small");
  }

  @Test
  @DisplayName("a request no host could ever grant is refused at once, saying why")
  void impossibleIsRefused() {
    LeaseTable table = fleet(2, 4);

    assertThat(table.request(request("huge", 8), 1).refused())
        .isEqualTo("8 devices cannot be granted: the most any host has is 4");
    assertThat(
            table
                .request(new LeaseTable.Request("b200", 1, "NVIDIA B200", null, null, null), 1)
                .refused())
        .isEqualTo("1 device of NVIDIA B200 cannot be granted: the most any host has is 0");
  }

  @Test
  @DisplayName(
      "sameHostAs keeps a later task on an earlier task's host; a retry excludes a lost host")
  void affinityAndExclusion() {
    LeaseTable table = fleet(3, 4);
    LeaseTable.Lease first = table.request(request("prepare", 1), 1).granted();
    table.release("prepare", 2);
    // Fill the first host's neighbours to make a wrong choice likely.
    LeaseTable.Lease next =
        table
            .request(new LeaseTable.Request("train", 2, null, null, first.host(), null), 3)
            .granted();
    assertThat(next.host()).isEqualTo(first.host());

    LeaseTable.Lease elsewhere =
        table
            .request(new LeaseTable.Request("retry", 1, null, null, null, Set.of(first.host())), 4)
            .granted();
    assertThat(elsewhere.host()).isNotEqualTo(first.host());
  }

  @Test
  @DisplayName("a lost host loses its leases, and its tasks lease elsewhere")
  void lostHostsLoseLeases() {
    LeaseTable table = fleet(2, 4);
    LeaseTable.Lease lease = table.request(request("task", 4), 0).granted();
    String other = lease.host().equals("gpu-1") ? "gpu-2" : "gpu-1";

    List<LeaseTable.Lease> revoked = table.lose(lease.host(), 60_000);

    assertThat(revoked).extracting(LeaseTable.Lease::id).containsExactly("task");
    LeaseTable.Lease retried =
        table
            .request(
                new LeaseTable.Request("task-retry", 4, null, null, null, Set.of(lease.host())),
                60_001)
            .granted();
    assertThat(retried.host()).isEqualTo(other);
  }

  @Test
  @DisplayName(
      "a quarantined device drains, is validated, and is never leased until it is back in service")
  void quarantine() {
    LeaseTable table = fleet(1, 2);
    LeaseTable.Lease both = table.request(request("job", 2), 0).granted();

    table.quarantine("gpu-1", 1, 1);
    assertThat(table.health("gpu-1", 1)).isEqualTo(LeaseTable.Health.QUARANTINED);
    assertThat(table.leases()).containsKey(both.id());
    table.release("job", 2);
    assertThat(table.health("gpu-1", 1)).isEqualTo(LeaseTable.Health.VALIDATING);

    LeaseTable.Outcome two = table.request(request("needs-two", 2), 3);
    assertThat(two.waiting()).isTrue();
    assertThat(table.validated("gpu-1", 1, true, 4))
        .extracting(LeaseTable.Lease::id)
        .containsExactly("needs-two");
    table.release("needs-two", 5);

    table.quarantine("gpu-1", 0, 6);
    table.validated("gpu-1", 0, false, 7);
    assertThat(table.health("gpu-1", 0)).isEqualTo(LeaseTable.Health.RETIRED);
    Set<Integer> leased = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      LeaseTable.Lease lease = table.request(request("after-" + i, 1), 8 + i).granted();
      leased.addAll(lease.devices());
      table.release(lease.id(), 9 + i);
    }
    assertThat(leased).containsExactly(1);
    assertThat(table.request(request("two-again", 2), 20).refused())
        .isEqualTo("2 devices cannot be granted: the most any host has is 1");
  }

  @Test
  @DisplayName("leases with a time limit expire at it, free their devices and grant what waits")
  void expiry() {
    LeaseTable table = fleet(1, 1);
    LeaseTable.Lease limited =
        table.request(new LeaseTable.Request("a", 1, null, null, null, null, 100L), 1).granted();
    assertThat(limited.expiresAtMillis()).isEqualTo(101L);
    assertThat(table.request(request("b", 1), 2).waiting()).isTrue();
    assertThat(table.nextExpiry()).isEqualTo(101L);

    assertThat(table.expire(100)).isEmpty();
    assertThat(table.expire(101)).extracting(LeaseTable.Lease::id).containsExactly("a");
    assertThat(table.lease("b")).isPresent();
    assertThat(table.lease("b").get().expiresAtMillis()).isNull();
    assertThat(table.nextExpiry()).isNull();
    assertThat(table.events()).extracting(LeaseTable.Event::type).contains("expire");
  }

  @Test
  @DisplayName(
      "a lost host goes offline keeping its devices' health: a retired device stays retired when"
          + " it comes back; requests only it could serve wait out its grace period")
  void offlineHostsKeepHealth() {
    LeaseTable table = fleet(1, 2);
    String host = table.devices().keySet().iterator().next();
    table.quarantine(host, 1, 1);
    table.validated(host, 1, false, 2);
    assertThat(table.request(request("a", 1), 3).granted().host()).isEqualTo(host);

    assertThat(table.lose(host, 4)).extracting(LeaseTable.Lease::id).containsExactly("a");
    assertThat(table.offline()).containsExactly(host);
    LeaseTable.Outcome waits = table.request(request("b", 1), 5);
    assertThat(waits.waiting()).as("its host may come back").isTrue();

    List<LeaseTable.Device> devices =
        List.of(
            new LeaseTable.Device(0, "NVIDIA H200", java.util.Map.of()),
            new LeaseTable.Device(1, "NVIDIA H200", java.util.Map.of()));
    assertThat(table.register(host, devices, 6))
        .extracting(LeaseTable.Lease::id)
        .containsExactly("b");
    assertThat(table.health(host, 1)).isEqualTo(LeaseTable.Health.RETIRED);
    assertThat(table.offline()).isEmpty();

    table.release("b", 7);
    table.lose(host, 8);
    assertThat(table.request(request("c", 1), 9).waiting()).isTrue();
    assertThat(table.nextForget()).isEqualTo(8 + LeaseTable.OFFLINE_GRACE_MILLIS);
    assertThat(table.forgetOffline(8 + LeaseTable.OFFLINE_GRACE_MILLIS)).containsExactly(host);
    assertThat(table.isWaiting("c")).as("no host could ever serve it now").isFalse();
  }
}
