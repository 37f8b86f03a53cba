package io.capstan.app.process;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file that says which process serves a state folder ({@code server}, with its start time) and
 * which JVM owns it ({@code owner}). It outlives an owner killed outright, so the next start on the
 * folder can tell a leftover from a folder in use.
 */
final class PidFile {
  private static final Logger log = LoggerFactory.getLogger(PidFile.class);

  private final Path file;
  private final String name;

  /**
   * @param file the pid file
   * @param name what to call the process in messages, e.g. {@code Temporal dev server}
   */
  PidFile(Path file, String name) {
    this.file = file;
    this.name = name;
  }

  Path path() {
    return file;
  }

  /** Records {@code server} as this folder's process, owned by this JVM. */
  void write(ProcessHandle server) {
    Properties pids = new Properties();
    pids.setProperty("server", Long.toString(server.pid()));
    server
        .info()
        .startInstant()
        .ifPresent(start -> pids.setProperty("started", Long.toString(start.toEpochMilli())));
    pids.setProperty("owner", Long.toString(ProcessHandle.current().pid()));
    try (Writer out = Files.newBufferedWriter(file)) {
      pids.store(out, "the " + name + " serving this folder, and the Capstan that owns it");
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot write " + file + ": " + e, e);
    }
  }

  /**
   * Removes the file if it still names {@code server}; a later start on the folder may have written
   * its own since.
   */
  void delete(ProcessHandle server) {
    try {
      if (Files.exists(file) && Long.toString(server.pid()).equals(read().getProperty("server"))) {
        Files.deleteIfExists(file);
      }
    } catch (IOException | IllegalArgumentException e) {
      log.warn("cannot delete {}: {}", file, e.toString());
    }
  }

  private Properties read() throws IOException {
    Properties pids = new Properties();
    try (var in = Files.newBufferedReader(file)) {
      pids.load(in);
    }
    return pids;
  }

  /**
   * Deals with a process an earlier start left in the folder: refuses when its owner still runs
   * (two servers on one folder get in each other's way), and stops it when the owner is gone (it
   * was killed before it could stop its process). The pid names that process only while it has the
   * start time the file recorded, so a pid the system has since given to another process is left
   * alone.
   *
   * @param stopGrace how long the leftover gets between SIGTERM and SIGKILL
   * @throws ManagedProcess.StartException when the folder's process and its owner both still run
   */
  void clearLeftover(Path stateDir, Duration stopGrace) {
    if (!Files.exists(file)) {
      return;
    }
    Properties pids;
    try {
      pids = read();
    } catch (IOException | IllegalArgumentException e) {
      log.warn("ignoring unreadable {}: {}", file, e.toString());
      return;
    }
    Optional<ProcessHandle> server =
        live(pids.getProperty("server")).filter(h -> startedAt(h, pids.getProperty("started")));
    Optional<ProcessHandle> owner = live(pids.getProperty("owner"));
    if (server.isPresent() && owner.isPresent()) {
      throw new ManagedProcess.StartException(
          "the state folder "
              + stateDir
              + " is in use by the "
              + name
              + " of another running Capstan (pid "
              + owner.get().pid()
              + "): stop that one, or pick another folder with --state-dir (if that process is"
              + " not Capstan, delete "
              + file
              + ")",
          null);
    }
    if (server.isPresent()) {
      log.warn(
          "stopping the {} (pid {}) a previous Capstan left running in {}",
          name,
          server.get().pid(),
          stateDir);
      ManagedProcess.stop(server.get(), stopGrace);
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new ManagedProcess.StartException("cannot delete " + file + ": " + e, e);
    }
  }

  private static Optional<ProcessHandle> live(String pid) {
    try {
      return pid == null
          ? Optional.empty()
          : ProcessHandle.of(Long.parseLong(pid.trim())).filter(ProcessHandle::isAlive);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static boolean startedAt(ProcessHandle handle, String epochMillis) {
    try {
      return epochMillis != null
          && handle
              .info()
              .startInstant()
              .map(start -> start.toEpochMilli() == Long.parseLong(epochMillis.trim()))
              .orElse(false);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
