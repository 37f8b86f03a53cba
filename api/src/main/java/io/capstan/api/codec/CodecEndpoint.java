package io.capstan.api.codec;

import io.temporal.payload.codec.PayloadCodec;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code /codec/encode} and {@code /codec/decode} serve: Temporal's codec server protocol over
 * the payload codec Capstan writes to Temporal with, so the Web UI can show encrypted payloads.
 *
 * @param codec the codec, or empty when payloads are plaintext (the routes then answer 404)
 * @param allowedOrigins the browser origins (such as {@code http://127.0.0.1:8233}) whose pages may
 *     call the routes; empty means the origin of the Temporal Web UI the API links to
 */
public record CodecEndpoint(Optional<PayloadCodec> codec, List<String> allowedOrigins) {
  public CodecEndpoint {
    codec = codec == null ? Optional.empty() : codec;
    allowedOrigins =
        allowedOrigins == null
            ? List.of()
            : allowedOrigins.stream().map(CodecEndpoint::origin).distinct().toList();
  }

  /** No codec: the routes say that payload encryption is off. */
  public static CodecEndpoint none() {
    return new CodecEndpoint(Optional.empty(), List.of());
  }

  /** The codec, callable from the Web UI the API links to. */
  public static CodecEndpoint of(PayloadCodec codec) {
    return new CodecEndpoint(Optional.of(codec), List.of());
  }

  /**
   * The origins that may call the routes: those configured, else the Web UI's, where a loopback UI
   * is reachable as both {@code 127.0.0.1} and {@code localhost}.
   */
  public Set<String> originsFor(String temporalUi) {
    if (!allowedOrigins.isEmpty()) {
      return new LinkedHashSet<>(allowedOrigins);
    }
    Set<String> origins = new LinkedHashSet<>();
    if (temporalUi == null || temporalUi.isBlank()) {
      return origins;
    }
    String ui = origin(temporalUi);
    origins.add(ui);
    List<String> twins = new ArrayList<>();
    if (ui.contains("://127.0.0.1")) {
      twins.add(ui.replace("://127.0.0.1", "://localhost"));
    } else if (ui.contains("://localhost")) {
      twins.add(ui.replace("://localhost", "://127.0.0.1"));
    }
    origins.addAll(twins);
    return origins;
  }

  /**
   * The origin of an address, as a browser sends it in {@code Origin}: {@code scheme://host[:port]}
   * in lower case, without a path or trailing slash.
   *
   * @throws IllegalArgumentException when it is not an http(s) address
   */
  public static String origin(String address) {
    URI uri;
    try {
      uri = URI.create(address.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + address + "' is not an origin such as http://host:8233");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "'" + address + "' is not an origin such as http://host:8233");
    }
    return scheme
        + "://"
        + uri.getHost().toLowerCase(Locale.ROOT)
        + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
  }
}
