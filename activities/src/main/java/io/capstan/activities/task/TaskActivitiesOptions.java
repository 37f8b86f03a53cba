package io.capstan.activities.task;

import io.capstan.outputs.OutputStore;
import io.capstan.outputs.OutputStores;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a worker runs task attempts.
 *
 * @param shellPolicy whether {@code shell} tasks may start processes on this host, and which
 *     commands per namespace; {@link ShellPolicy#disabled()} unless the operator asks for it,
 *     because a definition's command then runs with the worker's rights
 * @param host the name reported with every outcome and failure, so people can tell where an attempt
 *     ran; defaults to this machine's host name
 * @param clock paces simulated work and heartbeats; defaults to {@link TaskClock#SYSTEM}
 * @param heartbeatStep how often a running attempt heartbeats and looks for cancellation; defaults
 *     to 200 ms
 * @param secrets where {@code secretRef}s are resolved; defaults to this process's environment
 *     ({@code CAPSTAN_SECRET_*}) without a secrets directory
 * @param outputs where outputs too large for history are stored and read back; defaults to the
 *     store {@code CAPSTAN_OUTPUT_STORE} names, else {@code .capstan/state/outputs}
 */
public record TaskActivitiesOptions(
    ShellPolicy shellPolicy,
    String host,
    TaskClock clock,
    Duration heartbeatStep,
    SecretResolver secrets,
    OutputStore outputs) {

  public static final Duration DEFAULT_HEARTBEAT_STEP = Duration.ofMillis(200);

  public TaskActivitiesOptions {
    shellPolicy = shellPolicy == null ? ShellPolicy.disabled() : shellPolicy;
    host = host == null || host.isBlank() ? localHostName() : host;
    clock = clock == null ? TaskClock.SYSTEM : clock;
    heartbeatStep =
        heartbeatStep == null || heartbeatStep.isNegative() || heartbeatStep.isZero()
            ? DEFAULT_HEARTBEAT_STEP
            : heartbeatStep;
    secrets = secrets == null ? SecretResolver.fromProcessEnvironment() : secrets;
    outputs = outputs == null ? defaultOutputs() : outputs;
  }

  public TaskActivitiesOptions(
      ShellPolicy shellPolicy,
      String host,
      TaskClock clock,
      Duration heartbeatStep,
      SecretResolver secrets) {
    this(shellPolicy, host, clock, heartbeatStep, secrets, null);
  }

  /**
   * The store {@value OutputStores#STORE_ENV} names, or else the folder {@code
   * .capstan/state/outputs} under the working directory, which is {@code ./capstan up}'s default
   * state directory.
   */
  private static OutputStore defaultOutputs() {
    return OutputStores.of(
        System.getenv(OutputStores.STORE_ENV), Path.of(".capstan", "state"), System.getenv());
  }

  /**
   * Shell on for every command ({@link ShellPolicy#allowAll()}) or off, secrets from this process's
   * environment.
   */
  public TaskActivitiesOptions(
      boolean shellEnabled, String host, TaskClock clock, Duration heartbeatStep) {
    this(shellPolicy(shellEnabled), host, clock, heartbeatStep, null);
  }

  /** Real time, this machine's host name, default heartbeat step. */
  public static TaskActivitiesOptions of(boolean shellEnabled) {
    return new TaskActivitiesOptions(shellEnabled, null, null, null);
  }

  /** Whether {@code shell} tasks may run at all on this worker. */
  public boolean shellEnabled() {
    return shellPolicy.enabled();
  }

  public TaskActivitiesOptions withShellPolicy(ShellPolicy policy) {
    return new TaskActivitiesOptions(policy, host, clock, heartbeatStep, secrets, outputs);
  }

  public TaskActivitiesOptions withSecrets(SecretResolver resolver) {
    return new TaskActivitiesOptions(shellPolicy, host, clock, heartbeatStep, resolver, outputs);
  }

  public TaskActivitiesOptions withOutputs(OutputStore store) {
    return new TaskActivitiesOptions(shellPolicy, host, clock, heartbeatStep, secrets, store);
  }

  private static ShellPolicy shellPolicy(boolean enabled) {
    return enabled ? ShellPolicy.allowAll() : ShellPolicy.disabled();
  }

  /** This machine's host name, falling back to {@code $HOSTNAME}, then {@code localhost}. */
  public static String localHostName() {
    try {
      String name = InetAddress.getLocalHost().getHostName();
      if (name != null && !name.isBlank()) {
        return name;
      }
    } catch (UnknownHostException | SecurityException e) {
      // A host without resolvable name still runs tasks; the environment may know better.
    }
    String env = System.getenv("HOSTNAME");
    return env == null || env.isBlank() ? "localhost" : env;
  }
}
