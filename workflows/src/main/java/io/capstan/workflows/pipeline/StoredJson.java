package io.capstan.workflows.pipeline;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.converter.EncodingKeys;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Values kept in the output store (a large pipeline's definition and its segments), as JSON the way
 * Temporal's data converter writes payloads, so a value reads back exactly as it would from a
 * workflow input.
 */
public final class StoredJson {
  private StoredJson() {}

  public static byte[] write(Object value) {
    return DefaultDataConverter.STANDARD_INSTANCE
        .toPayload(value)
        .map(payload -> payload.getData().toByteArray())
        .orElseThrow(() -> new IllegalArgumentException("cannot write " + value));
  }

  public static <T> T read(byte[] json, Class<T> type) {
    Payload payload =
        Payload.newBuilder()
            .putMetadata(
                EncodingKeys.METADATA_ENCODING_KEY,
                ByteString.copyFrom("json/plain", StandardCharsets.UTF_8))
            .setData(ByteString.copyFrom(json))
            .build();
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(payload, type, type);
  }

  /** Lower-case hex SHA-256 of {@code bytes}. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
