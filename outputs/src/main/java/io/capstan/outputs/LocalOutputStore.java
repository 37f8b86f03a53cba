package io.capstan.outputs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Outputs in a folder on this machine ({@code STATE_DIR/outputs} by default): enough for {@code
 * ./capstan up} and a single host, where the workers and the API share the disk. Objects are
 * written to a temporary file beside their place and moved there atomically.
 */
public final class LocalOutputStore implements OutputStore {
  private final Path root;

  public LocalOutputStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  public Path root() {
    return root;
  }

  @Override
  public void put(String key, Path file) throws IOException {
    Path target = resolve(key);
    Files.createDirectories(target.getParent());
    Path temporary = Files.createTempFile(target.getParent(), ".put-", ".tmp");
    try {
      Files.copy(file, temporary, StandardCopyOption.REPLACE_EXISTING);
      try {
        Files.move(
            temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  @Override
  public InputStream open(String key) throws IOException {
    return Files.newInputStream(resolve(key));
  }

  @Override
  public String describe() {
    return "folder " + root;
  }

  private Path resolve(String key) {
    Path path = root.resolve(OutputKeys.checked(key)).normalize();
    if (!path.startsWith(root)) {
      throw new IllegalArgumentException("not an output key: " + key);
    }
    return path;
  }
}
