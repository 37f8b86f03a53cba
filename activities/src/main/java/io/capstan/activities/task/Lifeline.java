package io.capstan.activities.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Ties a shell task's processes to the life of the worker that started them.
 *
 * <p>A worker that is killed outright ({@code kill -9}, the OOM killer, a lost host) runs no
 * shutdown code, and the processes it started would live on as orphans: they finish their work and
 * its side effects land, while Temporal, which heard nothing, retries the attempt elsewhere. So the
 * task's command runs in a process group of its own ({@code setsid -w -- COMMAND}, which execs in
 * place), and beside it a small watchdog, in a session of its own so that a signal to the worker's
 * group does not take it too, reads a pipe whose only writer is this JVM. When the JVM dies,
 * however it dies, the kernel closes that pipe, the watchdog reads end-of-file and kills the task's
 * whole process group at once.
 *
 * <p>On a normal end the worker kills the watchdog first ({@link #close()}), so it never acts on a
 * group whose id the system may already have handed to someone else. Where no {@code setsid} that
 * takes {@code -w} is found (util-linux has one on every mainstream Linux; busybox's lacks it), the
 * command runs as before and the watchdog kills the command's own process only.
 */
final class Lifeline implements AutoCloseable {
  /**
   * The watchdog: ignores the signals a terminal or a service manager sends to a whole group (it
   * must outlive the worker to do its job), waits for end-of-file, then kills the task's group, or
   * the task's process when it leads no group. ({@code kill -s KILL --}: Debian's sh, dash, takes
   * {@code --} only after {@code -s}, and without it would read the group as a malformed option.)
   */
  private static final String WATCHDOG =
      "trap '' HUP INT TERM QUIT; while read -r _; do :; done;"
          + " kill -s KILL -- \"-$1\" 2>/dev/null || kill -s KILL \"$1\" 2>/dev/null; exit 0";

  private static final Optional<Path> SH = find("sh");
  private static final Optional<Path> SETSID = find("setsid").filter(Lifeline::takesWait);

  private final Process watchdog;

  private Lifeline(Process watchdog) {
    this.watchdog = watchdog;
  }

  /**
   * {@code command}, whose argv[0] is already an absolute path, as it should be started: in a
   * process group of its own where possible. {@code --} ends setsid's options, so an argv[0] that
   * starts with '-' is never read as one.
   */
  static List<String> wrap(List<String> command) {
    if (SETSID.isEmpty()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(command.size() + 3);
    // -w: should setsid ever have to fork (it does when it already leads a group), it still waits
    // and passes the command's exit status on, so the worker never sees an early exit.
    wrapped.add(SETSID.get().toString());
    wrapped.add("-w");
    wrapped.add("--");
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Starts the watchdog of {@code task}. A watchdog that cannot start leaves the task without one,
   * which is how tasks ran before; it never fails the task.
   */
  static Lifeline watch(Process task) {
    if (SH.isEmpty()) {
      return new Lifeline(null);
    }
    List<String> command = new ArrayList<>();
    SETSID.ifPresent(setsid -> command.add(setsid.toString()));
    command.addAll(
        List.of(
            SH.get().toString(), "-c", WATCHDOG, "capstan-lifeline", Long.toString(task.pid())));
    try {
      Process watchdog =
          new ProcessBuilder(command)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      return new Lifeline(watchdog);
    } catch (IOException e) {
      return new Lifeline(null);
    }
  }

  /**
   * Lets the watchdog kill the task's whole group now, as it would if the worker died, and waits a
   * moment for it to have done so. For an attempt that ends abnormally (canceled, interrupted): its
   * process tree was already asked to stop, and this also reaches what left the tree but stayed in
   * the group, such as a background child whose parent exited.
   */
  void killGroup() {
    if (watchdog == null) {
      return;
    }
    try {
      watchdog.getOutputStream().close();
      watchdog.waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      // The watchdog is gone; close() below makes sure.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      close();
    }
  }

  /** Stops the watchdog without letting it act: SIGKILL, then its pipe closes. */
  @Override
  public void close() {
    if (watchdog == null) {
      return;
    }
    // Once the kill(2) behind destroyForcibly returns, the watchdog runs no more code of its own,
    // so closing its pipe afterwards cannot make it act.
    watchdog.destroyForcibly();
    try {
      watchdog.getOutputStream().close();
    } catch (IOException e) {
      // Already dead; nothing reads the pipe any more.
    }
  }

  /** Whether the watchdog is running; for tests. */
  boolean watching() {
    return watchdog != null && watchdog.isAlive();
  }

  /** The watchdog process, for tests that play a dying worker. */
  Optional<Process> watchdog() {
    return Optional.ofNullable(watchdog);
  }

  private static Optional<Path> find(String program) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Whether {@code setsid} is one that waits ({@code -w}) and ends its options at {@code --}. */
  private static boolean takesWait(Path setsid) {
    Optional<Path> truth = find("true");
    if (truth.isEmpty()) {
      return false;
    }
    try {
      Process probe =
          new ProcessBuilder(setsid.toString(), "-w", "--", truth.get().toString())
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!probe.waitFor(5, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return false;
      }
      return probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
