package io.capstan.codec;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
import java.util.ArrayList;
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
   * {@link CodecDataConverter} that compresses payloads of {@value
   * ZlibPayloadCodec#DEFAULT_THRESHOLD} bytes and more ({@link ZlibPayloadCodec}) and, when there
   * is an encryption codec, encrypts every payload after compressing it. Failure messages and stack
   * traces are encoded too: they may quote task output, which must not be readable in history
   * without the key.
   */
  public static DataConverter create(Optional<? extends PayloadCodec> codec) {
    DataConverter plain = DefaultDataConverter.newDefaultInstance();
    // Failure messages are moved into encoded attributes only when they are encrypted: compressed
    // alone they would read "Encoded failure" everywhere for nothing.
    return new CodecDataConverter(plain, codecs(codec), codec.isPresent());
  }

  /**
   * The whole chain as one codec, for the codec server the Web UI and the CLI decode with: encode
   * compresses then encrypts, decode decrypts then inflates, as the data converter does.
   */
  public static PayloadCodec chain(Optional<? extends PayloadCodec> codec) {
    List<PayloadCodec> codecs = codecs(codec);
    return new PayloadCodec() {
      @Override
      public List<Payload> encode(List<Payload> payloads) {
        List<Payload> result = payloads;
        for (int i = codecs.size() - 1; i >= 0; i--) {
          result = codecs.get(i).encode(result);
        }
        return result;
      }

      @Override
      public List<Payload> decode(List<Payload> payloads) {
        List<Payload> result = payloads;
        for (PayloadCodec each : codecs) {
          result = each.decode(result);
        }
        return result;
      }
    };
  }

  /**
   * The codec chain in {@link CodecDataConverter}'s order, which encodes with the last codec first:
   * compression must see the plain payload, since ciphertext does not compress.
   */
  public static List<PayloadCodec> codecs(Optional<? extends PayloadCodec> codec) {
    List<PayloadCodec> chain = new ArrayList<>();
    codec.ifPresent(chain::add);
    chain.add(new ZlibPayloadCodec());
    return chain;
  }
}
