package io.capstan.activities.cluster;

import io.capstan.workflows.cluster.NodeActivities.BlockReason;
import io.capstan.workflows.cluster.NodeActivities.DrainPass;
import io.capstan.workflows.cluster.NodeActivities.DrainPassRequest;
import io.capstan.workflows.cluster.NodeActivities.PodBlock;
import io.capstan.workflows.cluster.NodeActivities.PodEviction;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pass of a node's drain through the eviction API, with {@code kubectl drain}'s semantics: it
 * lists the node's pods, evicts those {@link DrainFilter} lets go, retries the ones a
 * PodDisruptionBudget refuses with a growing pause, waits for accepted evictions to finish, and
 * answers where the drain stands when the node is empty or the pass's time is up. It never deletes
 * a pod and never cordons: both are the caller's decisions.
 */
final class NodeDrain {
  /** The first pause before an eviction a budget refused is tried again; it doubles from there. */
  static final Duration FIRST_RETRY = Duration.ofMillis(250);

  /** The longest pause between two tries of one pod's eviction. */
  static final Duration LAST_RETRY = Duration.ofSeconds(5);

  /** What the API server's 500 says when several budgets select the pod being evicted. */
  static final String SEVERAL_BUDGETS = "more than one PodDisruptionBudget";

  private static final Logger LOG = LoggerFactory.getLogger(NodeDrain.class);

  /** How the API server answered an eviction. */
  enum Outcome {
    /** The pod is being deleted (201). */
    ACCEPTED,
    /** A PodDisruptionBudget allows no disruption now (429): try again later. */
    REFUSED,
    /** Several budgets select the pod, which the eviction subresource does not support (500). */
    SEVERAL_BUDGETS,
    /** The pod is not there (404). */
    GONE,
    /**
     * The pod changed under the eviction (409): its UID is not the one listed, so the pod listed
     * left, or the server saw a newer version. The next listing tells.
     */
    CHANGED,
    /** Its namespace is being deleted, so the namespace controller removes the pod (403). */
    NAMESPACE_TERMINATING
  }

  private final KubernetesClient client;
  private final Duration pollInterval;
  private final LongSupplier clock;
  private final Consumer<String> heartbeat;
  private final LongConsumer pause;

  /**
   * @param clock epoch milliseconds
   * @param heartbeat told a short progress line once a round
   * @param pause waits that many milliseconds between rounds
   */
  NodeDrain(
      KubernetesClient client,
      Duration pollInterval,
      LongSupplier clock,
      Consumer<String> heartbeat,
      LongConsumer pause) {
    this.client = client;
    this.pollInterval = pollInterval;
    this.clock = clock;
    this.heartbeat = heartbeat;
    this.pause = pause;
  }

  /**
   * Asks the API server to evict {@code pod} through the policy/v1 Eviction subresource, on the
   * condition that it is still the pod of that UID (so a pod that took the name on another node is
   * never the one evicted). Errors other than those of {@link Outcome} propagate.
   */
  static Outcome evict(KubernetesClient client, Pod pod) {
    String namespace = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    Eviction eviction =
        new EvictionBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName(name)
            .endMetadata()
            .withDeleteOptions(
                new DeleteOptionsBuilder()
                    .withNewPreconditions()
                    .withUid(pod.getMetadata().getUid())
                    .endPreconditions()
                    .build())
            .build();
    try {
      // fabric8 answers false for a 429 and throws for every other refusal.
      return client.pods().inNamespace(namespace).withName(name).evict(eviction)
          ? Outcome.ACCEPTED
          : Outcome.REFUSED;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return Outcome.GONE;
      }
      if (e.getCode() == 409) {
        return Outcome.CHANGED;
      }
      if (e.getCode() == 500 && says(e, SEVERAL_BUDGETS)) {
        return Outcome.SEVERAL_BUDGETS;
      }
      if (e.getCode() == 403 && hasCause(e, "NamespaceTerminating")) {
        return Outcome.NAMESPACE_TERMINATING;
      }
      throw e;
    }
  }

  /** Runs the pass; see {@code NodeActivities#drainPass}. */
  DrainPass run(DrainPassRequest request) {
    String node = request.node();
    if (client.nodes().withName(node).get() == null) {
      // Nothing runs on a node that is gone: a retried pass after the node's deletion is done.
      return new DrainPass(node, true, 0, List.of(), List.of(), Map.of(), 0);
    }
    long deadline = clock.getAsLong() + Math.max(0, request.passMillis());
    Map<String, PodEviction> evicting =
        new TreeMap<>(request.evicting() == null ? Map.of() : request.evicting());
    // Pods that took the name of an evicted one, by their UID: the evicted pod left, and the new
    // one is not this pass's to evict.
    Map<String, String> replaced = new HashMap<>();
    Map<String, Retry> retries = new HashMap<>();
    int evicted = 0;
    int refusals = 0;
    while (true) {
      long now = clock.getAsLong();
      Map<String, Pod> pods = new TreeMap<>();
      for (Pod pod :
          client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems()) {
        if (DrainFilter.stays(pod)) {
          continue;
        }
        String key = DrainFilter.key(pod);
        String uid = pod.getMetadata().getUid();
        PodEviction accepted = evicting.get(key);
        if (accepted != null && !accepted.uid().equals(uid)) {
          evicting.remove(key);
          replaced.put(key, uid);
        }
        if (!uid.equals(replaced.get(key))) {
          pods.put(key, pod);
        }
      }
      evicting.keySet().retainAll(pods.keySet());
      retries.keySet().retainAll(pods.keySet());

      Map<String, PodBudgets> budgets = new HashMap<>();
      List<String> remaining = new ArrayList<>();
      List<PodBlock> blocked = new ArrayList<>();
      for (Pod pod : pods.values()) {
        String key = DrainFilter.key(pod);
        PodEviction accepted = evicting.get(key);
        if (accepted != null) {
          remaining.add(key);
          long waited = now - accepted.sinceMillis();
          if (request.podEvictionTimeoutMillis() > 0
              && waited >= request.podEvictionTimeoutMillis()) {
            blocked.add(timedOut(key, waited, request.podEvictionTimeoutMillis()));
          }
          continue;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          // Someone deleted it already; a second eviction would change nothing.
          remaining.add(key);
          continue;
        }
        PodBlock refusal =
            DrainFilter.refusal(pod, request.deleteEmptyDirData(), request.evictUnmanaged());
        if (refusal != null) {
          remaining.add(key);
          blocked.add(refusal);
          continue;
        }
        Retry retry = retries.get(key);
        if (retry != null && now < retry.due()) {
          remaining.add(key);
          if (retry.block() != null) {
            blocked.add(retry.block());
          }
          continue;
        }
        switch (evict(client, pod)) {
          case ACCEPTED -> {
            evicting.put(key, new PodEviction(pod.getMetadata().getUid(), now));
            evicted++;
            retries.remove(key);
            remaining.add(key);
            LOG.info("evicted pod {} from node {}", key, node);
          }
          case REFUSED -> {
            refusals++;
            PodBlock block = budgetBlock(pod, budgets);
            retries.put(key, Retry.after(retry, now, block));
            remaining.add(key);
            blocked.add(block);
          }
          case SEVERAL_BUDGETS -> {
            PodBlock block = misconfigured(pod, budgets);
            retries.put(key, Retry.after(retry, now, block));
            remaining.add(key);
            blocked.add(block);
          }
          case NAMESPACE_TERMINATING -> {
            retries.put(key, Retry.after(retry, now, null));
            remaining.add(key);
          }
          case CHANGED -> remaining.add(key);
          case GONE -> retries.remove(key);
        }
      }

      if (remaining.isEmpty()) {
        return new DrainPass(node, true, evicted, List.of(), List.of(), Map.of(), refusals);
      }
      heartbeat.accept(detail(node, remaining, blocked));
      now = clock.getAsLong();
      if (now >= deadline) {
        return new DrainPass(
            node,
            false,
            evicted,
            List.copyOf(remaining),
            List.copyOf(blocked),
            new LinkedHashMap<>(evicting),
            refusals);
      }
      long wait = Math.min(pollInterval.toMillis(), deadline - now);
      for (Retry retry : retries.values()) {
        wait = Math.min(wait, retry.due() - now);
      }
      pause.accept(Math.max(wait, 1));
    }
  }

  /**
   * When a refused eviction is tried again, and the block it stands for until then.
   *
   * @param delay the pause that led to {@code due}, doubled for the next refusal
   */
  private record Retry(long due, long delay, PodBlock block) {
    static Retry after(Retry last, long now, PodBlock block) {
      long delay =
          last == null ? FIRST_RETRY.toMillis() : Math.min(last.delay() * 2, LAST_RETRY.toMillis());
      return new Retry(now + delay, delay, block);
    }
  }

  private PodBlock budgetBlock(Pod pod, Map<String, PodBudgets> budgets) {
    String key = DrainFilter.key(pod);
    List<PodDisruptionBudget> selecting = selecting(pod, budgets);
    if (selecting.isEmpty()) {
      // A budget deleted since, one whose status is stale, or the API server's own throttling.
      return new PodBlock(
          key,
          BlockReason.PDB,
          null,
          null,
          "pod "
              + key
              + " blocked: its eviction was refused (429) and no PodDisruptionBudget selects it now");
    }
    PodDisruptionBudget budget = selecting.get(0);
    String name = budget.getMetadata().getName();
    Integer allowed = PodBudgets.disruptionsAllowed(budget);
    return new PodBlock(
        key,
        BlockReason.PDB,
        name,
        allowed,
        "pod "
            + key
            + " blocked by PDB "
            + name
            + ", "
            + (allowed == null
                ? "its disruptions not counted yet"
                : allowed + (allowed == 1 ? " disruption allowed" : " disruptions allowed")));
  }

  private PodBlock misconfigured(Pod pod, Map<String, PodBudgets> budgets) {
    String key = DrainFilter.key(pod);
    List<String> names =
        selecting(pod, budgets).stream().map(b -> b.getMetadata().getName()).toList();
    String which =
        names.size() > 1
            ? names.size() + " PodDisruptionBudgets (" + String.join(", ", names) + ")"
            : "more than one PodDisruptionBudget";
    return new PodBlock(
        key,
        BlockReason.PDB_MISCONFIGURED,
        names.isEmpty() ? null : String.join(",", names),
        null,
        "pod "
            + key
            + " is selected by "
            + which
            + ": the API server cannot evict it; leave one budget per pod");
  }

  private List<PodDisruptionBudget> selecting(Pod pod, Map<String, PodBudgets> budgets) {
    String namespace = pod.getMetadata().getNamespace();
    try {
      return budgets.computeIfAbsent(namespace, n -> PodBudgets.of(client, n)).selecting(pod);
    } catch (KubernetesClientException e) {
      // The refusal stands either way; only its explanation is poorer.
      LOG.debug("could not list the PodDisruptionBudgets of {}: {}", namespace, e.getMessage());
      return List.of();
    }
  }

  private static PodBlock timedOut(String key, long waitedMillis, long timeoutMillis) {
    return new PodBlock(
        key,
        BlockReason.EVICTION_TIMEOUT,
        null,
        null,
        "pod "
            + key
            + " was evicted "
            + seconds(waitedMillis)
            + " ago and has not left (podEvictionTimeout "
            + seconds(timeoutMillis)
            + "): a long grace period, a finalizer or an unresponsive node holds it");
  }

  private static String seconds(long millis) {
    return (millis + 500) / 1000 + " s";
  }

  /** E.g. {@code draining node-1: 3 pods left, 1 blocked by PDB web-pdb}. */
  static String detail(String node, List<String> remaining, List<PodBlock> blocked) {
    StringBuilder line =
        new StringBuilder("draining ")
            .append(node)
            .append(": ")
            .append(remaining.size())
            .append(remaining.size() == 1 ? " pod left" : " pods left");
    Map<BlockReason, List<PodBlock>> byReason = new TreeMap<>();
    for (PodBlock block : blocked) {
      byReason.computeIfAbsent(block.reason(), r -> new ArrayList<>()).add(block);
    }
    byReason.forEach(
        (reason, blocks) -> {
          line.append(", ").append(blocks.size());
          switch (reason) {
            case PDB -> {
              TreeSet<String> names = new TreeSet<>();
              blocks.stream().filter(b -> b.budget() != null).forEach(b -> names.add(b.budget()));
              line.append(" blocked by PDB");
              if (!names.isEmpty()) {
                line.append(' ').append(String.join(", ", names));
              }
            }
            case PDB_MISCONFIGURED -> line.append(" under several PDBs");
            case EMPTY_DIR -> line.append(" with emptyDir data");
            case UNMANAGED -> line.append(" without a controller");
            case EVICTION_TIMEOUT -> line.append(" slow to leave");
          }
        });
    return line.toString();
  }

  private static boolean says(KubernetesClientException e, String text) {
    if (e.getStatus() != null
        && e.getStatus().getMessage() != null
        && e.getStatus().getMessage().contains(text)) {
      return true;
    }
    return e.getMessage() != null && e.getMessage().contains(text);
  }

  private static boolean hasCause(KubernetesClientException e, String type) {
    if (e.getStatus() == null
        || e.getStatus().getDetails() == null
        || e.getStatus().getDetails().getCauses() == null) {
      return false;
    }
    for (StatusCause cause : e.getStatus().getDetails().getCauses()) {
      if (type.equals(cause.getReason())) {
        return true;
      }
    }
    return false;
  }
}
