package io.capstan.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.api.common.v1.Payload;
import io.temporal.api.failure.v1.Failure;
import io.temporal.common.converter.DataConverter;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capstan's data converter encrypts values and failure messages when a codec is set")
class CapstanDataConverterTest {
  record Sample(String secret, Duration took) {}

  private final AesGcmPayloadCodec codec =
      AesGcmPayloadCodec.withKey("k1", AesGcmPayloadCodecTest.KEY_1);

  @Test
  void withoutACodecSmallValuesAreTemporalsPlainJson() {
    DataConverter converter = CapstanDataConverter.create(Optional.empty());

    Payload payload = converter.toPayload(new Sample("s", Duration.ofSeconds(2))).orElseThrow();

    // Only the compression codec wraps the default converter, and it leaves small payloads alone.
    assertThat(payload.getMetadataMap().get("encoding").toStringUtf8()).isEqualTo("json/plain");
    assertThat(payload.getData().toString(StandardCharsets.UTF_8)).contains("\"secret\":\"s\"");
  }

  @Test
  void withACodecValuesAreCiphertextAndReadBack() {
    DataConverter converter = CapstanDataConverter.create(Optional.of(codec));
    Sample sample = new Sample("hunter2", Duration.ofSeconds(2));

    Payload payload = converter.toPayload(sample).orElseThrow();

    assertThat(AesGcmPayloadCodec.isEncrypted(payload)).isTrue();
    assertThat(payload.toByteString().toString(StandardCharsets.UTF_8)).doesNotContain("hunter2");
    assertThat(converter.fromPayload(payload, Sample.class, Sample.class)).isEqualTo(sample);
  }

  @Test
  void failureMessagesAreEncryptedTooAndReadBack() {
    DataConverter converter = CapstanDataConverter.create(Optional.of(codec));

    Failure failure =
        converter.exceptionToFailure(
            ApplicationFailure.newFailure("stderr said PLAINTEXT-42", "ShellExitCode"));

    assertThat(failure.toByteString().toString(StandardCharsets.UTF_8))
        .doesNotContain("PLAINTEXT-42");
    assertThat(converter.failureToException(failure).getMessage()).contains("PLAINTEXT-42");
  }
}
