package io.capstan.activities.cluster;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The PodDisruptionBudgets of a namespace, and which of them select a pod: the ones the API server
 * consults when the pod is evicted. Selection follows the server's own rule (a policy/v1 budget's
 * empty selector selects every pod of its namespace, a missing one none, and an invalid one none).
 */
final class PodBudgets {
  private final List<PodDisruptionBudget> budgets;

  PodBudgets(List<PodDisruptionBudget> budgets) {
    this.budgets =
        budgets.stream().sorted(Comparator.comparing(b -> b.getMetadata().getName())).toList();
  }

  /** The budgets of the pod's namespace, listed now. */
  static PodBudgets of(KubernetesClient client, String namespace) {
    return new PodBudgets(
        client.policy().v1().podDisruptionBudget().inNamespace(namespace).list().getItems());
  }

  /** The budgets that select the pod, by name. */
  List<PodDisruptionBudget> selecting(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    Map<String, String> podLabels = labels == null ? Map.of() : labels;
    return budgets.stream()
        .filter(b -> b.getSpec() != null && selects(b.getSpec().getSelector(), podLabels))
        .toList();
  }

  /** The budget's {@code status.disruptionsAllowed}, or null before its controller counted. */
  static Integer disruptionsAllowed(PodDisruptionBudget budget) {
    return budget.getStatus() == null ? null : budget.getStatus().getDisruptionsAllowed();
  }

  /**
   * Whether {@code selector} selects {@code labels}, as the API server's {@code
   * LabelSelectorAsSelector} decides: every {@code matchLabels} pair and every requirement must
   * hold.
   */
  static boolean selects(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
        if (!wanted.getValue().equals(labels.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!holds(requirement, labels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean holds(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    String operator = requirement.getOperator() == null ? "" : requirement.getOperator();
    return switch (operator) {
      // The server refuses In and NotIn without values; such a selector selects nothing.
      case "In" -> !values.isEmpty() && value != null && values.contains(value);
      case "NotIn" -> !values.isEmpty() && (value == null || !values.contains(value));
      case "Exists" -> values.isEmpty() && value != null;
      case "DoesNotExist" -> values.isEmpty() && value == null;
      default -> false;
    };
  }
}
