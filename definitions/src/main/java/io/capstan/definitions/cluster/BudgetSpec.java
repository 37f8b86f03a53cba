package io.capstan.definitions.cluster;

import java.math.BigDecimal;
import java.util.List;

/**
 * What a cluster may spend in a month, in US dollars, and what happens as it gets there.
 *
 * @param monthlyLimit above zero
 * @param alerts never null
 * @param onBudget {@code alert} unless said
 */
public record BudgetSpec(BigDecimal monthlyLimit, List<BudgetAlert> alerts, OnBudget onBudget) {
  public BudgetSpec {
    alerts = alerts == null ? List.of() : List.copyOf(alerts);
    onBudget = onBudget == null ? OnBudget.ALERT : onBudget;
  }
}
