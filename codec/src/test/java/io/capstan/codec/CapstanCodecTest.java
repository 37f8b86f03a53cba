package io.capstan.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The codec is configured from CAPSTAN_CODEC_KEYS and CAPSTAN_CODEC_ACTIVE_KEY")
class CapstanCodecTest {
  private static final String K1 = Base64.getEncoder().encodeToString(AesGcmPayloadCodecTest.KEY_1);
  private static final String K2 = Base64.getEncoder().encodeToString(AesGcmPayloadCodecTest.KEY_2);

  @Test
  void withoutKeysThereIsNoCodec() {
    assertThat(CapstanCodec.fromEnvironment(Map.of())).isEmpty();
    assertThat(CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "  "))).isEmpty();
  }

  @Test
  void aSingleKeyIsTheActiveOne() {
    AesGcmPayloadCodec codec =
        CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "main:" + K1)).orElseThrow();

    assertThat(codec.activeKeyId()).isEqualTo("main");
  }

  @Test
  void severalKeysWithTheActiveOneNamed() {
    AesGcmPayloadCodec codec =
        CapstanCodec.fromEnvironment(
                Map.of(
                    "CAPSTAN_CODEC_KEYS",
                    "2024:" + K1 + ", 2025:" + K2,
                    "CAPSTAN_CODEC_ACTIVE_KEY",
                    "2025"))
            .orElseThrow();

    assertThat(codec.keyIds()).containsExactly("2024", "2025");
    assertThat(codec.activeKeyId()).isEqualTo("2025");
  }

  @Test
  void severalKeysWithoutAnActiveOneAskForIt() {
    assertThatThrownBy(
            () ->
                CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "a:" + K1 + ",b:" + K2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "CAPSTAN_CODEC_KEYS lists 2 keys (a, b): set CAPSTAN_CODEC_ACTIVE_KEY to the one that"
                + " encrypts new payloads");
  }

  @Test
  void anActiveKeyThatIsNotListedIsNamed() {
    assertThatThrownBy(
            () ->
                CapstanCodec.fromEnvironment(
                    Map.of("CAPSTAN_CODEC_KEYS", "a:" + K1, "CAPSTAN_CODEC_ACTIVE_KEY", "b")))
        .hasMessage(
            "CAPSTAN_CODEC_ACTIVE_KEY is 'b', which is not one of the keys in"
                + " CAPSTAN_CODEC_KEYS (a)");
    assertThatThrownBy(() -> CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_ACTIVE_KEY", "b")))
        .hasMessage("CAPSTAN_CODEC_ACTIVE_KEY is set to 'b' but CAPSTAN_CODEC_KEYS is empty");
  }

  @Test
  void badBase64IsNamedWithoutTheKeyMaterial() {
    assertThatThrownBy(
            () -> CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "k1:not*base64!")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("CAPSTAN_CODEC_KEYS: key 'k1' is not valid base64")
        .message()
        .doesNotContain("not*base64!");
  }

  @Test
  void aKeyOfTheWrongLengthSaysHowLongItIs() {
    String short16 = Base64.getEncoder().encodeToString(new byte[16]);

    assertThatThrownBy(
            () -> CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "k1:" + short16)))
        .hasMessage(
            "CAPSTAN_CODEC_KEYS: key 'k1' is 16 bytes; AES-256 needs exactly 32 bytes (generate"
                + " one with `openssl rand -base64 32`)");
  }

  @Test
  void malformedEntriesAndRepeatedIdsAreNamed() {
    assertThatThrownBy(() -> CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", K1)))
        .hasMessageStartingWith("CAPSTAN_CODEC_KEYS: entry 1 is not 'keyId:base64key'");
    assertThatThrownBy(
            () ->
                CapstanCodec.fromEnvironment(
                    Map.of(
                        "CAPSTAN_CODEC_KEYS",
                        "k1:" + K1 + ",k1:" + K2,
                        "CAPSTAN_CODEC_ACTIVE_KEY",
                        "k1")))
        .hasMessage("CAPSTAN_CODEC_KEYS: key id 'k1' is listed twice");
    assertThatThrownBy(
            () -> CapstanCodec.fromEnvironment(Map.of("CAPSTAN_CODEC_KEYS", "a/b:" + K1)))
        .hasMessageStartingWith("CAPSTAN_CODEC_KEYS: key id 'a/b' is not valid");
  }
}
