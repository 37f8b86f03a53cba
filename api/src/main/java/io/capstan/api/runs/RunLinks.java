package io.capstan.api.runs;

import io.capstan.api.TemporalInfo;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Where to look at a run: this API's resource and, when a Web UI is known, the run's page there.
 */
public record RunLinks(String self, String temporalUi) {
  public static final String RUNS_PATH = "/api/v1/runs/";

  public static RunLinks forRun(String id, TemporalInfo temporal) {
    return new RunLinks(RUNS_PATH + id, uiPage(temporal, "workflows", id));
  }

  /**
   * {@code <ui>/namespaces/<namespace>/<collection>/<id>}, with the namespace and id encoded as
   * path segments (ids of scheduled runs hold colons); null when there is no Web UI.
   */
  public static String uiPage(TemporalInfo temporal, String collection, String id) {
    String ui = temporal == null ? null : temporal.ui();
    if (ui == null || ui.isBlank()) {
      return null;
    }
    String base = ui.endsWith("/") ? ui.substring(0, ui.length() - 1) : ui;
    return base
        + "/namespaces/"
        + segment(temporal.namespace())
        + "/"
        + collection
        + "/"
        + segment(id);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
