package io.capstan.workflows.pipeline;

/**
 * Whether one execution's history can absorb another task. A task costs an execution about three
 * activity events plus, at worst, one workflow task (three events) of its own, so before a task
 * starts the history must have room for the worst case of every task in flight plus the new one
 * ({@value #EVENTS_PER_TASK} events each) under {@value #HISTORY_EVENT_LIMIT}, with {@value
 * #HISTORY_RESERVE} events to spare. The server's continue-as-new suggestion is honoured too, but
 * only once the execution has finished a task: an execution whose input (a large carry) draws the
 * suggestion at once would otherwise continue as new again and again without progress.
 *
 * <p>Plain arithmetic over what the workflow reads from {@code Workflow.getInfo()}, so it is tested
 * without Temporal. One instance per execution.
 */
final class HistoryBudget {
  /** The history length no execution may reach: Temporal's warning threshold. */
  static final int HISTORY_EVENT_LIMIT = 10_240;

  /** Worst-case events a task in flight still adds: scheduled, started, closed, a workflow task. */
  static final int EVENTS_PER_TASK = 7;

  /** Events kept free for signals, the deadline timer and the command that ends the execution. */
  static final int HISTORY_RESERVE = 500;

  private int tasksEnded;

  /** Counts a task that ended in this execution. */
  void taskEnded() {
    tasksEnded++;
  }

  /** How many tasks ended in this execution. */
  int tasksEnded() {
    return tasksEnded;
  }

  /**
   * Whether starting one more task would risk the history limit, so the execution should start
   * nothing more and continue as new once its tasks in flight have ended.
   *
   * @param historyLength the execution's history length now ({@code WorkflowInfo.getHistoryLength})
   * @param continueAsNewSuggested whether the server suggests continuing as new ({@code
   *     WorkflowInfo.isContinueAsNewSuggested})
   * @param running how many tasks are in flight
   */
  boolean full(long historyLength, boolean continueAsNewSuggested, int running) {
    if (tasksEnded > 0 && continueAsNewSuggested) {
      return true;
    }
    long worstCase = historyLength + (long) EVENTS_PER_TASK * (running + 1) + HISTORY_RESERVE;
    return worstCase > HISTORY_EVENT_LIMIT;
  }
}
