package io.capstan.codec;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Configures the payload codec from the environment.
 *
 * <ul>
 *   <li>{@code CAPSTAN_CODEC_KEYS}: {@code kid1:base64key,kid2:base64key}; each key is 32 random
 *       bytes in base64 ({@code openssl rand -base64 32}). Unset or blank: no codec, payloads are
 *       plaintext.
 *   <li>{@code CAPSTAN_CODEC_ACTIVE_KEY}: the key id new payloads are encrypted with. It may be
 *       left out when there is a single key; with several it is required, so that adding a key for
 *       a rotation never silently changes which key encrypts.
 * </ul>
 *
 * Errors name the variable and the key id at fault, never key material.
 */
public final class CapstanCodec {
  public static final String KEYS_ENV = "CAPSTAN_CODEC_KEYS";
  public static final String ACTIVE_KEY_ENV = "CAPSTAN_CODEC_ACTIVE_KEY";

  private CapstanCodec() {}

  /**
   * The codec {@code env} configures, or empty when {@value #KEYS_ENV} is unset or blank.
   *
   * @throws IllegalArgumentException with a message that says what to fix, when the variables are
   *     set but unusable (bad syntax, bad base64, a key that is not 32 bytes, duplicate key ids, an
   *     active key that is not listed, an active key without keys)
   */
  public static Optional<AesGcmPayloadCodec> fromEnvironment(Map<String, String> env) {
    String keysText = env.get(KEYS_ENV);
    String active = env.get(ACTIVE_KEY_ENV);
    active = active == null || active.isBlank() ? null : active.strip();
    if (keysText == null || keysText.isBlank()) {
      if (active != null) {
        throw new IllegalArgumentException(
            ACTIVE_KEY_ENV + " is set to '" + active + "' but " + KEYS_ENV + " is empty");
      }
      return Optional.empty();
    }
    Map<String, byte[]> keys = parseKeys(keysText);
    if (active == null) {
      if (keys.size() > 1) {
        throw new IllegalArgumentException(
            KEYS_ENV
                + " lists "
                + keys.size()
                + " keys ("
                + String.join(", ", keys.keySet())
                + "): set "
                + ACTIVE_KEY_ENV
                + " to the one that encrypts new payloads");
      }
      active = keys.keySet().iterator().next();
    }
    if (!keys.containsKey(active)) {
      throw new IllegalArgumentException(
          ACTIVE_KEY_ENV
              + " is '"
              + active
              + "', which is not one of the keys in "
              + KEYS_ENV
              + " ("
              + String.join(", ", keys.keySet())
              + ")");
    }
    try {
      return Optional.of(new AesGcmPayloadCodec(keys, active));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(KEYS_ENV + ": " + e.getMessage(), e);
    }
  }

  /** The same as {@link #fromEnvironment(Map)} over this process's environment. */
  public static Optional<AesGcmPayloadCodec> fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  private static Map<String, byte[]> parseKeys(String text) {
    Map<String, byte[]> keys = new LinkedHashMap<>();
    String[] entries = text.split("[,\\s]+");
    int position = 0;
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      position++;
      int colon = entry.indexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException(
            KEYS_ENV
                + ": entry "
                + position
                + " is not 'keyId:base64key' (expected e.g. "
                + KEYS_ENV
                + "=\"k1:$(openssl rand -base64 32)\")");
      }
      String id = entry.substring(0, colon);
      try {
        AesGcmPayloadCodec.checkKeyId(id);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(KEYS_ENV + ": " + e.getMessage(), e);
      }
      if (keys.containsKey(id)) {
        throw new IllegalArgumentException(KEYS_ENV + ": key id '" + id + "' is listed twice");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(entry.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            KEYS_ENV + ": key '" + id + "' is not valid base64 (" + e.getMessage() + ")", e);
      }
      if (key.length != AesGcmPayloadCodec.KEY_BYTES) {
        throw new IllegalArgumentException(
            KEYS_ENV
                + ": key '"
                + id
                + "' is "
                + key.length
                + " bytes; AES-256 needs exactly "
                + AesGcmPayloadCodec.KEY_BYTES
                + " bytes (generate one with `openssl rand -base64 32`)");
      }
      keys.put(id, key);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(KEYS_ENV + " lists no keys");
    }
    return keys;
  }
}
