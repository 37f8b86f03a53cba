package io.capstan.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.EncodingKeys;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts Temporal payloads with AES-256-GCM, so that workflow inputs, results, heartbeats and
 * failures are ciphertext in Temporal's history.
 *
 * <p>An encrypted payload carries the metadata {@code encoding: binary/encrypted} and {@code
 * encryption-key-id: <key id>}; its data is a fresh random 96-bit nonce followed by the GCM
 * ciphertext (with its 128-bit tag) of the whole original payload, metadata included. The key id is
 * authenticated too, so a payload cannot be relabelled to another key.
 *
 * <p>Key rotation: payloads are encrypted with the active key and decrypted with whichever known
 * key their metadata names, so a new key can become active while older histories stay readable as
 * long as their key is still listed. Payloads that are already encrypted are passed through by
 * {@link #encode}, and payloads that are not encrypted (written before the codec was turned on) by
 * {@link #decode}.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class AesGcmPayloadCodec implements PayloadCodec {
  /** The {@code encoding} metadata value of a payload this codec encrypted. */
  public static final String ENCODING = "binary/encrypted";

  /** The metadata key naming the key a payload was encrypted with. */
  public static final String KEY_ID_METADATA = "encryption-key-id";

  /** AES-256: the only key size this codec accepts. */
  public static final int KEY_BYTES = 32;

  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;

  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final ByteString ENCODING_BYTES = ByteString.copyFromUtf8(ENCODING);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, SecretKey> keys;
  private final String activeKeyId;

  /**
   * @param keys every key this codec may decrypt with, by key id (ids are 1 to 64 characters of
   *     letters, digits, '.', '_' and '-'); each key is exactly 32 bytes
   * @param activeKeyId the id of the key new payloads are encrypted with; one of {@code keys}
   * @throws IllegalArgumentException naming the key id (never the key) that is unusable
   */
  public AesGcmPayloadCodec(Map<String, byte[]> keys, String activeKeyId) {
    if (keys == null || keys.isEmpty()) {
      throw new IllegalArgumentException("the payload codec needs at least one key");
    }
    Map<String, SecretKey> copy = new LinkedHashMap<>();
    keys.forEach(
        (id, key) -> {
          checkKeyId(id);
          if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                "key '"
                    + id
                    + "' is "
                    + (key == null ? 0 : key.length)
                    + " bytes; AES-256 needs exactly "
                    + KEY_BYTES
                    + " bytes (generate one with `openssl rand -base64 32`)");
          }
          copy.put(id, new SecretKeySpec(key.clone(), "AES"));
        });
    if (activeKeyId == null || !copy.containsKey(activeKeyId)) {
      throw new IllegalArgumentException(
          "the active key '" + activeKeyId + "' is not one of the keys " + copy.keySet());
    }
    this.keys = Collections.unmodifiableMap(copy);
    this.activeKeyId = activeKeyId;
  }

  /** A codec with a single key, which is also the active one. */
  public static AesGcmPayloadCodec withKey(String keyId, byte[] key) {
    return new AesGcmPayloadCodec(Map.of(keyId, key), keyId);
  }

  /** The id of the key new payloads are encrypted with. */
  public String activeKeyId() {
    return activeKeyId;
  }

  /** Every key id this codec can decrypt, in the order they were configured. */
  public Set<String> keyIds() {
    return keys.keySet();
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    return payloads.stream().map(this::encrypt).toList();
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    return payloads.stream().map(this::decrypt).toList();
  }

  /** Whether {@code payload} is one this codec (or a codec sharing its format) encrypted. */
  public static boolean isEncrypted(Payload payload) {
    return ENCODING_BYTES.equals(
        payload.getMetadataOrDefault(EncodingKeys.METADATA_ENCODING_KEY, ByteString.EMPTY));
  }

  private Payload encrypt(Payload payload) {
    if (isEncrypted(payload)) {
      return payload;
    }
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    byte[] sealed;
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.get(activeKeyId), nonce, activeKeyId);
      sealed = cipher.doFinal(payload.toByteArray());
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException(
          "cannot encrypt a payload with key '" + activeKeyId + "': " + e.getMessage(), e);
    }
    ByteBuffer data = ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed);
    return Payload.newBuilder()
        .putMetadata(EncodingKeys.METADATA_ENCODING_KEY, ENCODING_BYTES)
        .putMetadata(KEY_ID_METADATA, ByteString.copyFromUtf8(activeKeyId))
        .setData(ByteString.copyFrom(data.array()))
        .build();
  }

  private Payload decrypt(Payload payload) {
    if (!isEncrypted(payload)) {
      return payload;
    }
    ByteString keyIdBytes = payload.getMetadataOrDefault(KEY_ID_METADATA, null);
    if (keyIdBytes == null) {
      throw new PayloadCodecException(
          "an encrypted payload has no '" + KEY_ID_METADATA + "' metadata: cannot tell its key");
    }
    String keyId = keyIdBytes.toStringUtf8();
    SecretKey key = keys.get(keyId);
    if (key == null) {
      throw new PayloadCodecException(
          "a payload was encrypted with key '"
              + keyId
              + "', which this process does not have (known keys: "
              + String.join(", ", keys.keySet())
              + "); add it to CAPSTAN_CODEC_KEYS to read it");
    }
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException(
          "an encrypted payload (key '" + keyId + "') is too short to hold a nonce and a tag");
    }
    byte[] plain;
    try {
      Cipher cipher = cipher(Cipher.DECRYPT_MODE, key, data, keyId);
      plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException(
          "an encrypted payload (key '"
              + keyId
              + "') failed authentication: it was modified, or key '"
              + keyId
              + "' is not the key it was encrypted with",
          e);
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException(
          "cannot decrypt a payload with key '" + keyId + "': " + e.getMessage(), e);
    }
    try {
      return Payload.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new PayloadCodecException(
          "a payload decrypted with key '" + keyId + "' is not a Temporal payload", e);
    }
  }

  /** The nonce is the first {@link #NONCE_BYTES} of {@code nonceHolder}; the key id is the AAD. */
  private static Cipher cipher(int mode, SecretKey key, byte[] nonceHolder, String keyId)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonceHolder, 0, NONCE_BYTES));
    cipher.updateAAD(keyId.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  static void checkKeyId(String id) {
    if (id == null || !KEY_ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "key id '"
              + id
              + "' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
  }
}
