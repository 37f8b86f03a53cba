package io.capstan.api;

/**
 * The Temporal service the API talks to.
 *
 * @param address host:port of the frontend
 * @param namespace the Temporal namespace runs live in
 * @param ui base address of the Temporal Web UI, or null when there is none
 * @param mode {@code test-server}, {@code dev-server} or {@code external}
 */
public record TemporalInfo(String address, String namespace, String ui, String mode) {
  public static final String TEST_SERVER = "test-server";
  public static final String DEV_SERVER = "dev-server";
  public static final String EXTERNAL = "external";
}
