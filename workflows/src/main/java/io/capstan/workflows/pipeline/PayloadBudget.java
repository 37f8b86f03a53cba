package io.capstan.workflows.pipeline;

import io.capstan.workflows.run.RunState;
import io.temporal.api.common.v1.Payloads;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;

/**
 * Bytes, where {@link HistoryBudget} counts events: how large what the interpreter sends to
 * Temporal is, measured the way Capstan's data converter writes it (Jackson JSON, and zlib above
 * {@value #COMPRESSED_FROM} bytes), so that no workflow-task completion passes Temporal's 4 MiB
 * gRPC message limit and no continue-as-new input passes its 2 MiB payload limit.
 *
 * <p>Measuring is pure computation on values the workflow holds (serialization and deflate are
 * deterministic), so replays measure the same and decide the same.
 */
public final class PayloadBudget {
  /** Temporal refuses a payload larger than this (its blob size limit, 2 MiB). */
  static final int PAYLOAD_LIMIT = 2 * 1024 * 1024;

  /**
   * A continue-as-new input may take this much: the limit less room for the encryption codec's
   * envelope and the rest of the command.
   */
  static final int CARRY_LIMIT = PAYLOAD_LIMIT - 64 * 1024;

  /**
   * What one workflow task may schedule in activity inputs before the interpreter yields to a new
   * workflow task: a quarter of Temporal's 4 MiB gRPC message limit, so the completion carrying the
   * commands stays far below it.
   */
  static final int WORKFLOW_TASK_INPUT_LIMIT = 1024 * 1024;

  /** What one task's attempt may carry (its spec and inputs): well under the payload limit. */
  static final int TASK_INPUT_LIMIT = 1536 * 1024;

  /** Capstan's codec compresses payloads from this size (ZlibPayloadCodec's threshold). */
  static final int COMPRESSED_FROM = 128 * 1024;

  private PayloadBudget() {}

  /** The serialized size of {@code value} as one payload, before compression. */
  static int plainBytes(Object value) {
    Optional<Payloads> payloads = DefaultDataConverter.STANDARD_INSTANCE.toPayloads(value);
    return payloads.map(Payloads::getSerializedSize).orElse(0);
  }

  /** The size {@code value} is written at: compressed when the codec would compress it. */
  static int encodedBytes(Object value) {
    Optional<Payloads> payloads = DefaultDataConverter.STANDARD_INSTANCE.toPayloads(value);
    if (payloads.isEmpty()) {
      return 0;
    }
    byte[] plain = payloads.get().getPayloads(0).toByteArray();
    if (plain.length < COMPRESSED_FROM) {
      return plain.length;
    }
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION);
    try {
      deflater.setInput(plain);
      deflater.finish();
      byte[] chunk = new byte[64 * 1024];
      int total = 0;
      while (!deflater.finished()) {
        total += deflater.deflate(chunk);
      }
      return Math.min(total, plain.length);
    } finally {
      deflater.end();
    }
  }

  /**
   * The run's result: its final state, or, when that is too large for Temporal to take as a result
   * (which would fail the workflow task again and again), its phase and progress only. The status
   * query still answers every task's state.
   */
  public static RunState result(RunState full) {
    if (encodedBytes(full) <= CARRY_LIMIT) {
      return full;
    }
    return new RunState(full.phase(), full.progress(), Map.of());
  }

  /** "1.9 MiB". */
  static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }
}
