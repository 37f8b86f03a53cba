package io.capstan.activities.task;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Ties a shell task's processes to the life of the worker that started them.
 *
 * <p>A worker that is killed outright ({@code kill -9}, the OOM killer, a lost host) runs no
 * shutdown code, and the processes it started would live on as orphans: they finish their work and
 * its side effects land, while Temporal, which heard nothing, retries the attempt elsewhere. So the
 * task's command runs in a process group of its own ({@code setsid -w COMMAND}, which execs in
 * place), and beside it a small watchdog reads a pipe whose only writer is this JVM. When the JVM
 * dies, however it dies, the kernel closes that pipe, the watchdog reads end-of-file and kills the
 * task's whole process group at once.
 *
 * <p>On a normal end the worker kills the watchdog first ({@link #close()}), so it never acts on a
 * group whose id the system may already have handed to someone else. Where {@code setsid} is
 * missing (it is util-linux, on every Linux), the command runs as before and the watchdog kills the
 * command's own process only.
 */
final class Lifeline implements AutoCloseable {
  /** What {@code setsid} prints when it cannot exec the command, before the command ever runs. */
  static final String SETSID_EXEC_FAILURE = "setsid: failed to execute ";

  /**
   * The watchdog: ignores the signals a terminal or a service manager sends to the whole group (it
   * must outlive the worker to do its job), waits for end-of-file, then kills the task's group, or
   * the task's process when it leads no group. ({@code kill -s KILL --}: Debian's sh, dash, takes
   * {@code --} only after {@code -s}, and without it would read the group as a malformed option.)
   */
  private static final String WATCHDOG =
      "trap '' HUP INT TERM QUIT; while read -r _; do :; done;"
          + " kill -s KILL -- \"-$1\" 2>/dev/null || kill -s KILL \"$1\" 2>/dev/null; exit 0";

  private static final Optional<Path> SETSID = find("setsid");
  private static final Optional<Path> SH = find("sh");

  private final Process watchdog;

  private Lifeline(Process watchdog) {
    this.watchdog = watchdog;
  }

  /** {@code command} as it should be started: in a process group of its own where possible. */
  static List<String> wrap(List<String> command) {
    if (SETSID.isEmpty()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(command.size() + 2);
    // -w: should setsid ever have to fork (it does when it already leads a group), it still waits
    // and passes the command's exit status on, so the worker never sees an early exit.
    wrapped.add(SETSID.get().toString());
    wrapped.add("-w");
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
    try {
      Process watchdog =
          new ProcessBuilder(
                  SH.get().toString(),
                  "-c",
                  WATCHDOG,
                  "capstan-lifeline",
                  Long.toString(task.pid()))
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      return new Lifeline(watchdog);
    } catch (IOException e) {
      return new Lifeline(null);
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
}
