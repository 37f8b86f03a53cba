package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.app.up.CapstanRuntime;
import io.temporal.api.history.v1.HistoryEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * Large outputs end to end on {@code capstan up}'s wiring: (a) 30 shell tasks writing 200 KB each
 * and one task reading them all from {@code $CAPSTAN_INPUTS}; (b) 5 tasks writing 50 MB each and
 * one reading them all. Beside each, the same pipeline whose tasks output a few bytes, so the ratio
 * is the price of the outputs. Prints wall time, the run's history events and bytes, and its
 * largest event.
 *
 * <p>Flags: {@code --temporal HOST:PORT} or {@code --temporal-mode dev-server|test-server} (default
 * dev-server, fresh SQLite file), {@code --repeat N} (3).
 */
public final class OutputsBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OutputsBench() {}

  public static void main(String[] args) throws Exception {
    int repeat = BenchSetup.intFlag(args, "--repeat", 3);
    CapstanRuntime.Config config = BenchSetup.unlimited(BenchSetup.config(args, "dev-server"));
    try (CapstanRuntime runtime = new CapstanRuntime(config).start()) {
      System.out.printf(
          "Capstan outputs benchmark: Temporal %s (%s), outputs in %s, %d cores%n",
          runtime.temporal().address(),
          runtime.temporal().mode(),
          runtime.outputs().describe(),
          Runtime.getRuntime().availableProcessors());
      OutputsBench.Runner runner = new Runner(runtime);
      System.out.println(
          "| shape | large outputs s | tiny outputs s | ratio | events | history KiB | largest event KiB |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
      runner.compare(
          "a) 30 × 200 KB → 1",
          30,
          "head -c 200000 /dev/urandom | base64 -w0 > \"$CAPSTAN_OUTPUT\"",
          repeat);
      runner.compare(
          "b) 5 × 50 MB → 1", 5, "head -c 52428800 /dev/urandom > \"$CAPSTAN_OUTPUT\"", repeat);
    }
  }

  private record Runner(CapstanRuntime runtime) {
    void compare(String shape, int producers, String produce, int repeat) throws Exception {
      double large = Double.MAX_VALUE;
      double tiny = Double.MAX_VALUE;
      long[] history = null;
      for (int i = 0; i < repeat; i++) {
        Run big = run(pipeline(producers, produce));
        large = Math.min(large, big.seconds());
        history = big.history();
        tiny = Math.min(tiny, run(pipeline(producers, "echo ok")).seconds());
      }
      System.out.printf(
          "| %s | %.2f | %.2f | %.2f | %d | %d | %d |%n",
          shape, large, tiny, large / tiny, history[0], history[1] / 1024, history[2] / 1024);
    }

    private static String pipeline(int producers, String produce) {
      StringBuilder yaml =
          new StringBuilder(
              "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: outputs-bench}\n"
                  + "spec:\n  parallelism: 10\n  tasks:\n");
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < producers; i++) {
        yaml.append("    - name: p")
            .append(i)
            .append("\n      shell: {command: [sh, -c, '")
            .append(produce.replace("'", "''"))
            .append("']}\n");
        names.append(i == 0 ? "" : ", ").append("p").append(i);
      }
      yaml.append("    - name: consume\n      dependsOn: [")
          .append(names)
          .append(
              "]\n      shell: {command: [sh, -c, 'cat \"$CAPSTAN_INPUTS\"/p* | sha256sum']}\n");
      return yaml.toString();
    }

    private record Run(double seconds, long[] history) {}

    private Run run(String yaml) throws Exception {
      HttpClient http = HttpClient.newHttpClient();
      long start = System.nanoTime();
      HttpResponse<String> submitted =
          http.send(
              HttpRequest.newBuilder(URI.create(runtime.apiUrl() + "/api/v1/runs"))
                  .header("Content-Type", "application/yaml")
                  .POST(HttpRequest.BodyPublishers.ofString(yaml))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (submitted.statusCode() != 201) {
        throw new IllegalStateException(submitted.body());
      }
      String id = JSON.readTree(submitted.body()).path("id").asText();
      runtime.client().newUntypedWorkflowStub(id).getResult(JsonNode.class);
      double seconds = (System.nanoTime() - start) / 1e9;
      List<HistoryEvent> events = runtime.client().fetchHistory(id).getEvents();
      long bytes = 0;
      long largest = 0;
      for (HistoryEvent event : events) {
        bytes += event.getSerializedSize();
        largest = Math.max(largest, event.getSerializedSize());
      }
      return new Run(seconds, new long[] {events.size(), bytes, largest});
    }
  }
}
