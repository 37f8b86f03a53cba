package io.capstan.api.runs;

import io.capstan.api.TemporalInfo;

/**
 * Where to look at a run: this API's resource and, when a Web UI is known, the run's page there.
 */
public record RunLinks(String self, String temporalUi) {
  public static final String RUNS_PATH = "/api/v1/runs/";

  public static RunLinks forRun(String id, TemporalInfo temporal) {
    String ui = temporal == null ? null : temporal.ui();
    String page = null;
    if (ui != null && !ui.isBlank()) {
      String base = ui.endsWith("/") ? ui.substring(0, ui.length() - 1) : ui;
      page = base + "/namespaces/" + temporal.namespace() + "/workflows/" + id;
    }
    return new RunLinks(RUNS_PATH + id, page);
  }
}
