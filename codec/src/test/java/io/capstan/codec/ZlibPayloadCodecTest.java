package io.capstan.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodecException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZlibPayloadCodecTest {
  private final ZlibPayloadCodec codec = new ZlibPayloadCodec();

  private static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }

  private static String tasks(int count) {
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      text.append("{\"name\":\"task-").append(i).append("\",\"state\":\"SUCCEEDED\"},");
    }
    return text.append("]").toString();
  }

  @Test
  void largePayloadsAreCompressedAndComeBackExactly() {
    Payload large = json(tasks(20_000));
    Payload encoded = codec.encode(List.of(large)).get(0);

    assertThat(ZlibPayloadCodec.isCompressed(encoded)).isTrue();
    assertThat(encoded.getSerializedSize()).isLessThan(large.getSerializedSize() / 10);
    assertThat(codec.decode(List.of(encoded))).containsExactly(large);
  }

  @Test
  void smallAndIncompressiblePayloadsStayAsTheyAre() {
    Payload small = json("{\"phase\":\"RUNNING\"}");
    byte[] noise = new byte[ZlibPayloadCodec.DEFAULT_THRESHOLD * 2];
    new Random(1).nextBytes(noise);
    Payload random = json(Base64.getEncoder().encodeToString(noise)).toBuilder().build();
    Payload bytes =
        Payload.newBuilder()
            .putMetadata(
                EncodingKeys.METADATA_ENCODING_KEY, ByteString.copyFromUtf8("binary/plain"))
            .setData(ByteString.copyFrom(noise))
            .build();

    assertThat(codec.encode(List.of(small, bytes))).containsExactly(small, bytes);
    assertThat(codec.decode(List.of(small))).containsExactly(small);
    // Base64 text compresses by a quarter, which is worth it.
    assertThat(ZlibPayloadCodec.isCompressed(codec.encode(List.of(random)).get(0))).isTrue();
  }

  @Test
  void aCorruptPayloadIsRefusedWithAMessage() {
    Payload corrupt =
        Payload.newBuilder()
            .putMetadata(
                EncodingKeys.METADATA_ENCODING_KEY,
                ByteString.copyFromUtf8(ZlibPayloadCodec.ENCODING))
            .setData(ByteString.copyFromUtf8("not zlib"))
            .build();

    assertThatThrownBy(() -> codec.decode(List.of(corrupt)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("zlib payload is corrupt");
  }

  @Test
  void theConverterCompressesBeforeItEncryptsAndReadsBothBack() {
    byte[] key = new byte[32];
    new Random(2).nextBytes(key);
    AesGcmPayloadCodec aes = new AesGcmPayloadCodec(Map.of("k1", key), "k1");
    DataConverter converter = CapstanDataConverter.create(Optional.of(aes));
    String value = tasks(20_000);

    Payloads encoded = converter.toPayloads(value).orElseThrow();
    Payload outer = encoded.getPayloads(0);

    assertThat(AesGcmPayloadCodec.isEncrypted(outer)).isTrue();
    assertThat(outer.getSerializedSize()).isLessThan(value.length() / 10);
    Payload inner = aes.decode(List.of(outer)).get(0);
    assertThat(ZlibPayloadCodec.isCompressed(inner)).isTrue();
    assertThat(converter.fromPayloads(0, Optional.of(encoded), String.class, String.class))
        .isEqualTo(value);
    // The codec server's chain reads it back the same way, and writes what the converter reads.
    var chain = CapstanDataConverter.chain(Optional.of(aes));
    Payload decoded = chain.decode(List.of(outer)).get(0);
    assertThat(decoded.getMetadataMap().get("encoding").toStringUtf8()).isEqualTo("json/plain");
    Payloads again = Payloads.newBuilder().addAllPayloads(chain.encode(List.of(decoded))).build();
    assertThat(converter.fromPayloads(0, Optional.of(again), String.class, String.class))
        .isEqualTo(value);
  }

  @Test
  void withoutKeysFailureMessagesStayReadable() {
    DataConverter converter = CapstanDataConverter.create(Optional.empty());

    var failure =
        converter.exceptionToFailure(
            io.temporal.failure.ApplicationFailure.newFailure("task 'x' failed", "PipelineFailed"));

    assertThat(failure.getMessage()).isEqualTo("task 'x' failed");
    assertThat(failure.hasEncodedAttributes()).isFalse();
  }

  @Test
  void withoutKeysLargePayloadsAreStillCompressed() {
    DataConverter converter = CapstanDataConverter.create(Optional.empty());
    String value = tasks(20_000);

    Payloads encoded = converter.toPayloads(value).orElseThrow();

    assertThat(ZlibPayloadCodec.isCompressed(encoded.getPayloads(0))).isTrue();
    assertThat(converter.fromPayloads(0, Optional.of(encoded), String.class, String.class))
        .isEqualTo(value);
    Payloads small = converter.toPayloads("hello").orElseThrow();
    assertThat(small.getPayloads(0).getMetadataMap().get("encoding").toStringUtf8())
        .isEqualTo("json/plain");
  }
}
