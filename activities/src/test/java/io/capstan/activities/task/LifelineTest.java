package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that dies without running any code of its own must not leave its task's processes behind
 * to finish their side effects. The test plays the dying worker by closing the watchdog's pipe,
 * which is exactly what the kernel does when the JVM is killed.
 */
class LifelineTest {
  @TempDir Path dir;

  @Test
  @DisplayName(
      "when the worker's end of the pipe closes, the task and every process it started die")
  void aDyingWorkerTakesItsTaskProcessesWithIt() throws Exception {
    Path marker = dir.resolve("side-effect");
    Path childPid = dir.resolve("child.pid");
    // A background child and a side effect that lands only if the task outlives its worker.
    List<String> command =
        List.of(
            "sh",
            "-c",
            "sleep 30 & echo $! > '" + childPid + "'; sleep 30; echo landed >> '" + marker + "'");
    Process task = new ProcessBuilder(Lifeline.wrap(absolute(command))).start();
    Lifeline lifeline = Lifeline.watch(task);
    assertThat(lifeline.watching()).as("the watchdog runs beside the task").isTrue();
    ProcessHandle child = awaitChild(childPid);

    lifeline.watchdog().orElseThrow().getOutputStream().close();

    assertThat(task.waitFor(5, TimeUnit.SECONDS)).as("the task died with its worker").isTrue();
    assertThat(awaitDeath(child.pid())).as("the task's background child died too").isTrue();
    // The shell that would have written the side effect is dead, so it never can.
    assertThat(marker).as("the side effect never landed").doesNotExist();
  }

  @Test
  @DisplayName(
      "a task that ends normally is left alone, and its watchdog is stopped without acting")
  void aNormalEndStopsTheWatchdogQuietly() throws Exception {
    Process task = new ProcessBuilder(Lifeline.wrap(List.of("/bin/sh", "-c", "exit 3"))).start();
    Lifeline lifeline = Lifeline.watch(task);

    assertThat(task.waitFor(5, TimeUnit.SECONDS)).isTrue();
    lifeline.close();

    assertThat(task.exitValue()).as("the command's own exit status").isEqualTo(3);
    Process watchdog = lifeline.watchdog().orElseThrow();
    assertThat(watchdog.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(watchdog.exitValue()).as("killed, not exited after acting").isEqualTo(137);
  }

  @Test
  @DisplayName("the task leads a process group of its own, so one signal reaches all it started")
  void theTaskLeadsItsOwnProcessGroup() throws Exception {
    Path group = dir.resolve("pgid");
    Process task =
        new ProcessBuilder(
                Lifeline.wrap(
                    List.of("/bin/sh", "-c", "cut -d' ' -f5 /proc/$$/stat > '" + group + "'")))
            .start();
    try (Lifeline lifeline = Lifeline.watch(task)) {
      assertThat(task.waitFor(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(group).trim()).isEqualTo(Long.toString(task.pid()));
  }

  @Test
  @DisplayName(
      "killGroup also reaches a background child that left the task's tree but stayed in its group")
  void killGroupReachesOrphansInTheGroup() throws Exception {
    Path childPid = dir.resolve("orphan.pid");
    // The shell exits at once; its background child is reparented and no longer its descendant.
    Process task =
        new ProcessBuilder(
                Lifeline.wrap(
                    List.of("/bin/sh", "-c", "sleep 30 & echo $! > '" + childPid + "'; exit 0")))
            .start();
    Lifeline lifeline = Lifeline.watch(task);
    assertThat(task.waitFor(5, TimeUnit.SECONDS)).isTrue();
    ProcessHandle orphan = awaitChild(childPid);
    assertThat(task.descendants()).doesNotContain(orphan);

    lifeline.killGroup();

    assertThat(awaitDeath(orphan.pid())).as("the orphan in the task's group died").isTrue();
  }

  private static List<String> absolute(List<String> command) {
    List<String> copy = new java.util.ArrayList<>(command);
    copy.set(0, "/bin/" + command.get(0));
    return copy;
  }

  /**
   * Whether {@code pid} is gone or a zombie within five seconds. An orphan killed in a container
   * whose init does not reap stays a zombie, which {@link ProcessHandle#isAlive()} counts as alive.
   */
  private static boolean awaitDeath(long pid) throws Exception {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      String fields;
      try {
        fields = Files.readString(stat);
      } catch (java.io.IOException gone) {
        return true;
      }
      // The state is the first field after the command name's closing parenthesis.
      String state = fields.substring(fields.lastIndexOf(')') + 2, fields.lastIndexOf(')') + 3);
      if (state.equals("Z") || state.equals("X")) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }

  private static ProcessHandle awaitChild(Path pidFile) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (System.nanoTime() < deadline) {
      if (Files.exists(pidFile) && !Files.readString(pidFile).isBlank()) {
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessHandle.of(pid).orElseThrow();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("the task never wrote its child's pid to " + pidFile);
  }
}
