package io.capstan.workflows.task;

/**
 * The Job an attempt of a {@code container} task follows, as the attempt heartbeats it: the Web UI
 * shows it among the pending activity's details, and an attempt retried after its worker crashed
 * reads it back and re-attaches to that Job instead of creating a second one. The API reads it too,
 * to say where a running attempt can be followed.
 *
 * @param attempt the attempt that created the Job
 */
public record JobRef(String namespace, String name, int attempt) {
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
