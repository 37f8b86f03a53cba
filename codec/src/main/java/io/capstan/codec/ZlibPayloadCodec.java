package io.capstan.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Compresses large payloads with zlib, in the format of the Go SDK's {@code ZlibCodec}: the whole
 * serialized payload, metadata included, deflated into the data of a payload whose {@code encoding}
 * is {@value #ENCODING}. Only payloads of at least {@link #threshold()} bytes are compressed, and
 * only when that saves a tenth or more, so the small payloads people read in the Web UI stay plain
 * JSON while the large ones (a pipeline's definition, its state across continue-as-new, a status
 * with thousands of tasks) stay far from Temporal's 2 MiB payload limit.
 *
 * <p>Decoding leaves payloads it did not compress unchanged, and refuses to inflate beyond {@value
 * #MAX_INFLATED_BYTES} bytes, so a crafted payload cannot exhaust a worker's memory.
 */
public final class ZlibPayloadCodec implements PayloadCodec {
  /** The {@code encoding} metadata value of a payload this codec compressed. */
  public static final String ENCODING = "binary/zlib";

  /** Payloads from this size up are compressed by default: 128 KiB. */
  public static final int DEFAULT_THRESHOLD = 128 * 1024;

  /** No payload inflates beyond this: Temporal's own limits are far below. */
  static final int MAX_INFLATED_BYTES = 256 * 1024 * 1024;

  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);

  private final int threshold;

  public ZlibPayloadCodec() {
    this(DEFAULT_THRESHOLD);
  }

  /** Compresses payloads of at least {@code threshold} serialized bytes. */
  public ZlibPayloadCodec(int threshold) {
    this.threshold = threshold;
  }

  public int threshold() {
    return threshold;
  }

  /** Whether {@code payload} is one this codec (or the Go SDK's zlib codec) compressed. */
  public static boolean isCompressed(Payload payload) {
    return ENCODING_BYTES.equals(
        payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY, ByteString.EMPTY));
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::compress).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(ZlibPayloadCodec::inflate).toList();
  }

  private Payload compress(Payload payload) {
    if (isCompressed(payload) || payload.getSerializedSize() < threshold) {
      return payload;
    }
    byte[] plain = payload.toByteArray();
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(plain);
      deflater.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 4);
      byte[] chunk = new byte[64 * 1024];
      while (!deflater.finished()) {
        out.write(chunk, 0, deflater.deflate(chunk));
      }
      if (out.size() > plain.length * 9L / 10) {
        return payload;
      }
      return Payload.newBuilder()
          .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ENCODING_BYTES)
          .setData(ByteString.copyFrom(out.toByteArray()))
          .build();
    } finally {
      deflater.end();
    }
  }

  private static Payload inflate(Payload payload) {
    if (!isCompressed(payload)) {
      return payload;
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(payload.getData().toByteArray());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] chunk = new byte[64 * 1024];
      while (!inflater.finished()) {
        int n = inflater.inflate(chunk);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          throw new PayloadCodecException("a zlib payload is truncated", null);
        }
        out.write(chunk, 0, n);
        if (out.size() > MAX_INFLATED_BYTES) {
          throw new PayloadCodecException(
              "a zlib payload inflates beyond " + MAX_INFLATED_BYTES + " bytes; refused", null);
        }
      }
      return Payload.parseFrom(out.toByteArray());
    } catch (DataFormatException e) {
      throw new PayloadCodecException("a zlib payload is corrupt: " + e.getMessage(), e);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException("a zlib payload does not hold a Temporal payload", e);
    } finally {
      inflater.end();
    }
  }
}
