package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.BudgetAlert;
import io.capstan.definitions.cluster.BudgetSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a budget's alert thresholds the month's projected cost has crossed, each raised once a
 * month: a projection that dips below a threshold and climbs back does not raise it again, and a
 * new month starts afresh.
 */
public final class BudgetWatch {
  /** A threshold crossed just now. */
  public record Crossing(BudgetAlert alert, double projected, double limit) {
    public String message() {
      return String.format(
          java.util.Locale.ROOT,
          "projected cost this month $%.2f passed %d%% of the $%.2f monthly budget",
          projected,
          alert.thresholdPercent(),
          limit);
    }
  }

  /** What the watch carries across continue-as-new. */
  public record Snapshot(String month, Set<Integer> raised) {}

  private String month;
  private final Set<Integer> raised = new TreeSet<>();

  public BudgetWatch() {}

  public static BudgetWatch restore(Snapshot snapshot) {
    BudgetWatch watch = new BudgetWatch();
    if (snapshot != null) {
      watch.month = snapshot.month();
      watch.raised.addAll(snapshot.raised());
    }
    return watch;
  }

  public Snapshot snapshot() {
    return new Snapshot(month, new TreeSet<>(raised));
  }

  /** The thresholds {@code projected} crosses for the first time in {@code currentMonth}. */
  public List<Crossing> check(BudgetSpec budget, String currentMonth, double projected) {
    if (!currentMonth.equals(month)) {
      month = currentMonth;
      raised.clear();
    }
    List<Crossing> crossings = new ArrayList<>();
    if (budget == null || budget.monthlyLimit() == null) {
      return crossings;
    }
    double limit = budget.monthlyLimit().doubleValue();
    for (BudgetAlert alert : budget.alerts()) {
      if (projected >= limit * alert.thresholdPercent() / 100.0
          && raised.add(alert.thresholdPercent())) {
        crossings.add(new Crossing(alert, projected, limit));
      }
    }
    return crossings;
  }

  /** Whether the projection is at or over the whole monthly limit. */
  public static boolean overLimit(BudgetSpec budget, double projected) {
    return budget != null
        && budget.monthlyLimit() != null
        && projected >= budget.monthlyLimit().doubleValue();
  }
}
