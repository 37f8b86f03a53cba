package io.capstan.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The codec server answers Temporal's encode and decode requests")
class CodecServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CodecServer server =
      new CodecServer(AesGcmPayloadCodec.withKey("k1", AesGcmPayloadCodecTest.KEY_1));

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asText()), StandardCharsets.UTF_8);
  }

  private static final String PLAIN =
      "{\"payloads\":[{\"metadata\":{\"encoding\":\""
          + b64("json/plain")
          + "\"},\"data\":\""
          + b64("{\"rows\":42}")
          + "\"}]}";

  @Test
  void encodeThenDecodeGivesBackWhatWasSent() throws Exception {
    JsonNode encoded = JSON.readTree(server.encode(PLAIN));

    JsonNode payload = encoded.path("payloads").get(0);
    assertThat(text(payload.path("metadata").path("encoding"))).isEqualTo("binary/encrypted");
    assertThat(text(payload.path("metadata").path("encryption-key-id"))).isEqualTo("k1");
    assertThat(text(payload.path("data"))).doesNotContain("rows");

    JsonNode decoded = JSON.readTree(server.decode(encoded.toString()));

    assertThat(decoded).isEqualTo(JSON.readTree(PLAIN));
  }

  @Test
  void decodingPlaintextPayloadsReturnsThemUnchanged() throws Exception {
    assertThat(JSON.readTree(server.decode(PLAIN))).isEqualTo(JSON.readTree(PLAIN));
  }

  @Test
  void urlSafeBase64IsAcceptedAsProtobufJsonAllows() throws Exception {
    byte[] bytes = {(byte) 0xfb, (byte) 0xff, (byte) 0xfe};
    String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    String body = "{\"payloads\":[{\"metadata\":{},\"data\":\"" + urlSafe + "\"}]}";

    JsonNode decoded = JSON.readTree(server.decode(body));

    assertThat(Base64.getDecoder().decode(decoded.path("payloads").get(0).path("data").asText()))
        .isEqualTo(bytes);
  }

  @Test
  void anEmptyListAndAMissingListAnswerNoPayloads() {
    assertThat(server.encode("{\"payloads\":[]}")).isEqualTo("{\"payloads\":[]}");
    assertThat(server.decode("{}")).isEqualTo("{\"payloads\":[]}");
  }

  @Test
  void malformedBodiesAreRefusedSayingWhatIsWrong() {
    assertThatThrownBy(() -> server.decode(""))
        .isInstanceOf(CodecRequestException.class)
        .hasMessageStartingWith("the body is empty");
    assertThatThrownBy(() -> server.decode("{not json"))
        .isInstanceOf(CodecRequestException.class)
        .hasMessageStartingWith("the body is not JSON");
    assertThatThrownBy(() -> server.decode("[1]"))
        .hasMessage("the body must be a JSON object with a 'payloads' array");
    assertThatThrownBy(() -> server.decode("{\"payloads\":{}}"))
        .hasMessage("payloads: must be an array");
    assertThatThrownBy(() -> server.decode("{\"payloads\":[1]}"))
        .hasMessage("payloads[0]: must be an object with 'metadata' and 'data'");
    assertThatThrownBy(() -> server.decode("{\"payloads\":[{\"data\":\"***\"}]}"))
        .hasMessageStartingWith("payloads[0].data: not valid base64");
    assertThatThrownBy(() -> server.decode("{\"payloads\":[{\"metadata\":{\"encoding\":5}}]}"))
        .hasMessage("payloads[0].metadata.encoding: must be a base64 string");
  }

  @Test
  void aPayloadOfAnUnknownKeyIsABadRequestNamingTheKey() throws Exception {
    String foreign =
        new CodecServer(AesGcmPayloadCodec.withKey("elsewhere", AesGcmPayloadCodecTest.KEY_2))
            .encode(PLAIN);

    assertThatThrownBy(() -> server.decode(foreign))
        .isInstanceOf(CodecRequestException.class)
        .hasMessageStartingWith(
            "cannot decode the payloads: a payload was encrypted with key" + " 'elsewhere'");
  }
}
