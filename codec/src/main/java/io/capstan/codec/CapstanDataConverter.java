package io.capstan.codec;

import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
import java.util.List;
import java.util.Optional;

/**
 * The one data converter every Capstan client and worker uses, so that what one writes the other
 * can read.
 */
public final class CapstanDataConverter {
  private CapstanDataConverter() {}

  /**
   * Temporal's default converter (Jackson with the Java time and JDK 8 modules), wrapped in a
   * {@link CodecDataConverter} when there is a codec. Failure messages and stack traces are encoded
   * too: they may quote task output, which must not be readable in history without the key.
   */
  public static DataConverter create(Optional<? extends PayloadCodec> codec) {
    DataConverter plain = DefaultDataConverter.newDefaultInstance();
    if (codec.isEmpty()) {
      return plain;
    }
    return new CodecDataConverter(plain, List.of(codec.get()), true);
  }
}
