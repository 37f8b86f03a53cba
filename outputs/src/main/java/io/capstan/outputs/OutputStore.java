package io.capstan.outputs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where task outputs too large for workflow history are kept (the claim-check pattern): a worker
 * puts the bytes under a key and the history carries only the key, the size and a digest; the next
 * task's worker and the API read them back by key.
 *
 * <p>Keys are built by {@link OutputKeys}, one per run, task and content digest, so a retried
 * attempt that produced the same bytes writes the same object again and a put is idempotent.
 */
public interface OutputStore {
  /**
   * Stores the bytes of {@code file} under {@code key}, replacing what was there. The object is
   * complete or absent: a reader never sees half of it.
   */
  void put(String key, Path file) throws IOException;

  /**
   * Stores {@code bytes} under {@code key}, through a temporary file, as {@link #put(String,
   * Path)}.
   */
  default void put(String key, byte[] bytes) throws IOException {
    Path file = Files.createTempFile("capstan-store", ".bin");
    try {
      Files.write(file, bytes);
      put(key, file);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * The bytes stored under {@code key}, streamed.
   *
   * @throws java.nio.file.NoSuchFileException when nothing is stored under the key
   */
  InputStream open(String key) throws IOException;

  /** Where this store keeps objects, for messages: a folder or an {@code s3://} address. */
  String describe();
}
