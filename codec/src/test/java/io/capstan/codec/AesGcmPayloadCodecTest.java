package io.capstan.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("AES-256-GCM payload encryption with key ids and rotation")
class AesGcmPayloadCodecTest {
  static final byte[] KEY_1 = key(1);
  static final byte[] KEY_2 = key(2);

  static byte[] key(int seed) {
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (seed * 31 + i * 7);
    }
    return key;
  }

  static Payload json(String text) {
    return Payload.newBuilder()
        .putMetadata("encoding", ByteString.copyFromUtf8("json/plain"))
        .setData(ByteString.copyFromUtf8(text))
        .build();
  }

  private static String utf8(ByteString bytes) {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private final AesGcmPayloadCodec codec = AesGcmPayloadCodec.withKey("k1", KEY_1);

  @Test
  void aPayloadRoundTripsWithItsMetadata() {
    Payload original = json("{\"password\":\"hunter2\"}");

    Payload encrypted = codec.encode(List.of(original)).get(0);

    assertThat(utf8(encrypted.getMetadataOrThrow("encoding"))).isEqualTo("binary/encrypted");
    assertThat(utf8(encrypted.getMetadataOrThrow("encryption-key-id"))).isEqualTo("k1");
    assertThat(encrypted.getMetadataCount()).isEqualTo(2);
    assertThat(utf8(encrypted.getData())).doesNotContain("hunter2").doesNotContain("json/plain");
    assertThat(codec.decode(List.of(encrypted))).containsExactly(original);
  }

  @Test
  void theSamePayloadEncryptsDifferentlyEachTimeBecauseTheNonceIsRandom() {
    Payload original = json("\"same\"");

    Payload first = codec.encode(List.of(original)).get(0);
    Payload second = codec.encode(List.of(original)).get(0);

    assertThat(first.getData()).isNotEqualTo(second.getData());
    assertThat(first.getData().size())
        .isEqualTo(original.toByteArray().length + AesGcmPayloadCodec.NONCE_BYTES + 16);
  }

  @Test
  void aTamperedPayloadIsRefusedNamingItsKey() {
    Payload encrypted = codec.encode(List.of(json("\"value\""))).get(0);
    byte[] data = encrypted.getData().toByteArray();
    data[data.length - 1] ^= 1;
    Payload tampered = encrypted.toBuilder().setData(ByteString.copyFrom(data)).build();

    assertThatThrownBy(() -> codec.decode(List.of(tampered)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessage(
            "an encrypted payload (key 'k1') failed authentication: it was modified, or key 'k1'"
                + " is not the key it was encrypted with");
  }

  @Test
  void relabellingAPayloadToAnotherKnownKeyIsDetected() {
    AesGcmPayloadCodec both =
        new AesGcmPayloadCodec(new LinkedHashMap<>(Map.of("k1", KEY_1, "k2", KEY_1)), "k1");
    Payload encrypted = both.encode(List.of(json("\"v\""))).get(0);
    Payload relabelled =
        encrypted.toBuilder()
            .putMetadata("encryption-key-id", ByteString.copyFromUtf8("k2"))
            .build();

    // Same key bytes under another id still fail: the key id is authenticated with the data.
    assertThatThrownBy(() -> both.decode(List.of(relabelled)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void rotationEncryptsWithTheActiveKeyAndStillReadsTheOldOne() {
    AesGcmPayloadCodec before = AesGcmPayloadCodec.withKey("k1", KEY_1);
    Payload old = before.encode(List.of(json("\"old\""))).get(0);
    Map<String, byte[]> keys = new LinkedHashMap<>();
    keys.put("k1", KEY_1);
    keys.put("k2", KEY_2);
    AesGcmPayloadCodec after = new AesGcmPayloadCodec(keys, "k2");

    Payload fresh = after.encode(List.of(json("\"new\""))).get(0);

    assertThat(utf8(fresh.getMetadataOrThrow("encryption-key-id"))).isEqualTo("k2");
    assertThat(after.decode(List.of(old, fresh))).containsExactly(json("\"old\""), json("\"new\""));
    assertThat(after.keyIds()).containsExactly("k1", "k2");
    assertThat(after.activeKeyId()).isEqualTo("k2");
  }

  @Test
  void aPayloadOfAnUnknownKeyIsRefusedNamingTheKeyId() {
    Payload fromElsewhere =
        AesGcmPayloadCodec.withKey("retired", KEY_2).encode(List.of(json("\"x\""))).get(0);

    assertThatThrownBy(() -> codec.decode(List.of(fromElsewhere)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessage(
            "a payload was encrypted with key 'retired', which this process does not have (known"
                + " keys: k1); add it to CAPSTAN_CODEC_KEYS to read it");
  }

  @Test
  void anEncryptedPayloadIsNotEncryptedTwice() {
    Payload once = codec.encode(List.of(json("\"v\""))).get(0);

    assertThat(codec.encode(List.of(once))).containsExactly(once);
    assertThat(AesGcmPayloadCodec.withKey("other", KEY_2).encode(List.of(once)))
        .containsExactly(once);
  }

  @Test
  void aPlaintextPayloadWrittenBeforeTheCodecReadsAsIs() {
    Payload plain = json("\"written before encryption was on\"");

    assertThat(codec.decode(List.of(plain))).containsExactly(plain);
  }

  @Test
  void anEncryptedPayloadWithoutKeyIdOrTooShortIsRefused() {
    Payload noKeyId =
        Payload.newBuilder()
            .putMetadata("encoding", ByteString.copyFromUtf8("binary/encrypted"))
            .setData(ByteString.copyFrom(new byte[40]))
            .build();
    Payload tooShort =
        noKeyId.toBuilder()
            .putMetadata("encryption-key-id", ByteString.copyFromUtf8("k1"))
            .setData(ByteString.copyFrom(new byte[10]))
            .build();

    assertThatThrownBy(() -> codec.decode(List.of(noKeyId)))
        .hasMessage(
            "an encrypted payload has no 'encryption-key-id' metadata: cannot tell its key");
    assertThatThrownBy(() -> codec.decode(List.of(tooShort)))
        .hasMessage("an encrypted payload (key 'k1') is too short to hold a nonce and a tag");
  }

  @Test
  void keysMustBe32BytesAndTheActiveKeyMustBeKnown() {
    assertThatThrownBy(() -> AesGcmPayloadCodec.withKey("short", new byte[16]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "key 'short' is 16 bytes; AES-256 needs exactly 32 bytes (generate one with `openssl"
                + " rand -base64 32`)");
    assertThatThrownBy(() -> new AesGcmPayloadCodec(Map.of("k1", KEY_1), "k9"))
        .hasMessage("the active key 'k9' is not one of the keys [k1]");
    assertThatThrownBy(() -> AesGcmPayloadCodec.withKey("bad id", KEY_1))
        .hasMessageStartingWith("key id 'bad id' is not valid");
  }
}
