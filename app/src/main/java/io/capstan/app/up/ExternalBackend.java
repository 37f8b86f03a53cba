package io.capstan.app.up;

import io.capstan.api.TemporalInfo;

/** A Temporal server that runs without this process, which neither starts nor stops it. */
final class ExternalBackend implements TemporalBackend {
  private final String target;
  private final String namespace;
  private final String ui;

  /**
   * @param target {@code HOST:PORT} of its frontend
   * @param ui its Web UI's base address, or null
   */
  ExternalBackend(String target, String namespace, String ui) {
    this.target = target;
    this.namespace = namespace;
    this.ui = ui;
  }

  @Override
  public TemporalInfo start() {
    return new TemporalInfo(target, namespace, ui, TemporalInfo.EXTERNAL);
  }

  @Override
  public void close() {
    // Someone else's server keeps running.
  }
}
