package io.capstan.codec;

/**
 * A codec server request that cannot be answered: the body is not the codec server JSON, or a
 * payload cannot be decoded. The message says what is wrong and is safe to show the caller; an HTTP
 * front end answers it with 400.
 */
public final class CodecRequestException extends RuntimeException {
  public CodecRequestException(String message) {
    super(message);
  }

  public CodecRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
