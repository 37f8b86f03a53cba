package io.capstan.definitions.cluster;

/**
 * An alert sent once a month's spending reaches a share of the limit.
 *
 * @param thresholdPercent percent of the monthly limit, 1 to 1000, unique in the budget
 * @param webhook the absolute http(s) URL the alert is posted to; null to only record it
 */
public record BudgetAlert(int thresholdPercent, String webhook) {}
