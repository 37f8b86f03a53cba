package io.capstan.api.http;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads request bodies as text under a size limit. The declared length is checked before anything
 * is read, and a body without one (chunked) is cut off one byte past the limit, so an oversized
 * body never sits in memory whole.
 */
public final class RequestBodies {
  /**
   * The largest body the API accepts: 16 MiB, the parser's limit, which a pipeline of 100,000 tasks
   * fits.
   */
  public static final int LIMIT = 16 << 20;

  private RequestBodies() {}

  /** Refuses a request whose declared Content-Length is above {@link #LIMIT}. */
  public static void checkDeclaredLength(Context ctx) {
    if (ctx.req().getContentLengthLong() > LIMIT) {
      throw new PayloadTooLargeException(LIMIT);
    }
  }

  /** The raw body, at most {@link #LIMIT} bytes. */
  public static byte[] readBytes(Context ctx) {
    checkDeclaredLength(ctx);
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] bytes = in.readNBytes(LIMIT + 1);
      if (bytes.length > LIMIT) {
        throw new PayloadTooLargeException(LIMIT);
      }
      return bytes;
    } catch (IOException e) {
      throw new BadRequestException("the request body could not be read: " + e.getMessage());
    }
  }

  /**
   * The body as UTF-8 text without a byte-order mark; empty when there is no body.
   *
   * @throws BadRequestException when the bytes are not UTF-8
   */
  public static String readText(Context ctx) {
    return decode(readBytes(ctx));
  }

  /** Strict UTF-8 decoding: a malformed sequence is an error, never a replacement character. */
  public static String decode(byte[] bytes) {
    try {
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new BadRequestException(
          "the request body is not UTF-8 text: send the definition as UTF-8 YAML or JSON");
    }
  }
}
