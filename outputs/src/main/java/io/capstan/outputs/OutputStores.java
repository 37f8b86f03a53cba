package io.capstan.outputs;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the store an operator names, the same way for workers and the API:
 *
 * <ul>
 *   <li>unset or blank: the folder {@code STATE_DIR/outputs};
 *   <li>{@code s3://BUCKET[/PREFIX]}: that bucket, with {@value #S3_ENDPOINT_ENV} as the endpoint
 *       when set (MinIO, moto) and the region from {@code AWS_REGION} or the SDK's default chain;
 *   <li>{@code file:/PATH} or a plain path: that folder.
 * </ul>
 */
public final class OutputStores {
  /** The store's address, as above. */
  public static final String STORE_ENV = "CAPSTAN_OUTPUT_STORE";

  /** An S3 endpoint other than AWS's, e.g. {@code http://127.0.0.1:5000} for moto. */
  public static final String S3_ENDPOINT_ENV = "CAPSTAN_S3_ENDPOINT";

  private OutputStores() {}

  /**
   * The store {@code address} names.
   *
   * @param stateDir where the default folder lives
   * @throws IllegalArgumentException naming what to fix when the address or endpoint is unusable
   */
  public static OutputStore of(String address, Path stateDir, Map<String, String> env) {
    if (address == null || address.isBlank()) {
      return new LocalOutputStore(stateDir.resolve("outputs"));
    }
    String value = address.strip();
    if (value.startsWith("s3://")) {
      String rest = value.substring("s3://".length());
      int slash = rest.indexOf('/');
      String bucket = slash < 0 ? rest : rest.substring(0, slash);
      String prefix = slash < 0 ? "" : rest.substring(slash + 1);
      if (bucket.isEmpty()) {
        throw new IllegalArgumentException(
            "output store '"
                + value
                + "' names no bucket: write s3://BUCKET or s3://BUCKET/PREFIX");
      }
      String endpoint = env.get(S3_ENDPOINT_ENV);
      URI uri = null;
      if (endpoint != null && !endpoint.isBlank()) {
        try {
          uri = new URI(endpoint.strip());
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException(
              S3_ENDPOINT_ENV + " '" + endpoint + "' is not a URL: " + e.getMessage());
        }
        if (uri.getScheme() == null || uri.getHost() == null) {
          throw new IllegalArgumentException(
              S3_ENDPOINT_ENV + " '" + endpoint + "' is not a URL like http://HOST:PORT");
        }
      }
      return S3OutputStore.connect(bucket, prefix, uri, env.get("AWS_REGION"));
    }
    if (value.startsWith("file:")) {
      return new LocalOutputStore(Path.of(URI.create(value)));
    }
    if (value.contains("://")) {
      throw new IllegalArgumentException(
          "output store '" + value + "': use s3://BUCKET[/PREFIX], file:/PATH or a folder path");
    }
    return new LocalOutputStore(Path.of(value));
  }
}
