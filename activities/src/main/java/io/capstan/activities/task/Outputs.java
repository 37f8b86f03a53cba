package io.capstan.activities.task;

import io.capstan.outputs.OutputKeys;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.task.OutputRef;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskInputs;
import io.capstan.workflows.task.TaskOutcome;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.slf4j.LoggerFactory;

/**
 * Task outputs on the worker: what an attempt produced goes into history when it is small and into
 * the {@link OutputStore} when it is not (history then carries an {@link OutputRef}), and the
 * outputs a task's templates name are fetched back, their digest checked, just before it starts.
 *
 * <p>Nothing is ever cut: an output over {@link #MAX_OUTPUT_BYTES} fails the task with a message
 * that says what to do, and so does a stored output too large to substitute into a command line.
 */
final class Outputs {
  /** Outputs up to this many UTF-8 bytes stay in history; larger ones go to the store. */
  static final int INLINE_BYTES = 4 * 1024;

  /** The largest output a task may leave. */
  static final long MAX_OUTPUT_BYTES = 100L * 1024 * 1024;

  /**
   * The largest value substituted into one argument or environment variable of a process: Linux
   * refuses a longer single string ({@code MAX_ARG_STRLEN}) with E2BIG.
   */
  static final int MAX_SUBSTITUTED_BYTES = 128 * 1024;

  private final OutputStore store;

  Outputs(OutputStore store) {
    this.store = store;
  }

  OutputStore store() {
    return store;
  }

  /**
   * Keeps {@code text} (already masked) as the log of {@code attempt}, for {@code capstan logs}.
   * Best effort: an attempt's result never depends on its log, so a store that fails is only
   * reported in the worker's log.
   */
  void keepLog(Attempt attempt, String text) {
    String run = attempt.context().runId();
    String task = attempt.context().task();
    if (run == null || task == null) {
      return;
    }
    try {
      store.put(OutputKeys.log(run, task, attempt.number()), text.getBytes(StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      LoggerFactory.getLogger(Outputs.class)
          .warn("cannot keep the log of task {} in run {}: {}", task, run, e.toString());
    }
  }

  /**
   * The outcome of an attempt whose output is {@code output} (already masked), trimmed; {@code
   * scratch} is where a temporary copy may go (null: the system's temporary folder).
   */
  TaskOutcome succeed(String output, Attempt attempt, Path scratch) {
    String trimmed = output == null ? null : output.trim();
    if (trimmed == null || utf8Length(trimmed) <= INLINE_BYTES) {
      return attempt.succeed(trimmed);
    }
    byte[] bytes = trimmed.getBytes(StandardCharsets.UTF_8);
    checkSize(bytes.length, attempt);
    try {
      Path file =
          scratch == null
              ? Files.createTempFile("capstan-output-", ".bin")
              : Files.createTempFile(scratch, "output-", ".bin");
      try {
        Files.write(file, bytes);
        return store(file, 0, bytes.length, attempt, scratch);
      } finally {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      throw storeFailed(e, attempt);
    }
  }

  /**
   * The outcome of an attempt whose output is bytes {@code [start, end)} of {@code file}, leading
   * and trailing blanks left out. Secrets are masked; without secrets the bytes are streamed to the
   * store and never held in memory whole.
   */
  TaskOutcome succeed(
      Path file, long start, long end, Redactor redactor, Attempt attempt, Path scratch) {
    // Checked before trimming, which reads byte by byte: blanks do not make an output small.
    checkSize(end - start, attempt);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long[] region = trim(channel, start, end);
      long size = region[1] - region[0];
      if (size <= INLINE_BYTES || redactor.margin() > 0) {
        checkSize(size, attempt);
        String text = redactor.apply(read(channel, region[0], size));
        return succeed(text, attempt, scratch);
      }
      checkSize(size, attempt);
      return store(file, region[0], region[1], attempt, scratch);
    } catch (IOException e) {
      throw storeFailed(e, attempt);
    }
  }

  /**
   * {@code unrendered} with its templates rendered by {@code render} from {@code inputs}: the
   * stored outputs its templates name are fetched (each at most {@code limit} bytes, {@code why}
   * saying where it goes) and checked first. Null inputs: the spec came rendered.
   */
  <S> S render(
      S unrendered,
      Function<UnaryOperator<String>, S> render,
      TaskInputs inputs,
      long limit,
      String why,
      Attempt attempt) {
    if (inputs == null) {
      return unrendered;
    }
    Map<String, String> fetched =
        fetch(TemplateNames.outputsNamedIn(render::apply), inputs, limit, why, attempt);
    return render.apply(inputs.renderer(fetched));
  }

  /**
   * Fetches the stored outputs of {@code names} (those of {@code inputs}' references), each at most
   * {@code limit} bytes, for substitution into templates.
   */
  Map<String, String> fetch(
      Set<String> names, TaskInputs inputs, long limit, String why, Attempt attempt) {
    Map<String, String> fetched = new LinkedHashMap<>();
    for (String name : names) {
      OutputRef ref = inputs.references().get(name);
      if (ref == null) {
        continue;
      }
      if (ref.size() > limit) {
        throw attempt.nonRetryable(
            TaskFailures.OUTPUT_TOO_LARGE,
            "the output of '"
                + name
                + "' is "
                + describe(ref.size())
                + ", too large to substitute into "
                + why
                + " (at most "
                + describe(limit)
                + "); read it from the file $CAPSTAN_INPUTS/"
                + name
                + " instead",
            null);
      }
      try (InputStream in = open(name, ref, attempt)) {
        byte[] bytes = in.readAllBytes();
        fetched.put(name, new String(bytes, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw unavailable(name, ref, e, attempt);
      }
    }
    return fetched;
  }

  /**
   * Writes every output in {@code inputs} (inline and stored) to {@code dir/TASK}, for the task to
   * read as files: {@code $CAPSTAN_INPUTS}. Stored ones are streamed and their digest checked.
   */
  void materialize(TaskInputs inputs, Path dir, Attempt attempt) {
    try {
      Files.createDirectories(dir);
      for (Map.Entry<String, String> inline : inputs.outputs().entrySet()) {
        Files.writeString(dir.resolve(inline.getKey()), inline.getValue(), StandardCharsets.UTF_8);
      }
      for (Map.Entry<String, OutputRef> stored : inputs.references().entrySet()) {
        try (InputStream in = open(stored.getKey(), stored.getValue(), attempt)) {
          Files.copy(in, dir.resolve(stored.getKey()));
        } catch (IOException e) {
          throw unavailable(stored.getKey(), stored.getValue(), e, attempt);
        }
      }
    } catch (IOException e) {
      throw storeFailed(e, attempt);
    }
  }

  /** "12.3 MiB", "4096 bytes". */
  static String describe(long bytes) {
    if (bytes < 1024 * 1024) {
      return bytes + " bytes";
    }
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  private TaskOutcome store(Path file, long start, long end, Attempt attempt, Path scratch)
      throws IOException {
    Path object = file;
    boolean copy = start != 0 || end != Files.size(file);
    if (copy) {
      object = Files.createTempFile(scratch, "object-", ".bin");
      try (FileChannel from = FileChannel.open(file, StandardOpenOption.READ);
          FileChannel to = FileChannel.open(object, StandardOpenOption.WRITE)) {
        long done = 0;
        while (done < end - start) {
          done += from.transferTo(start + done, end - start - done, to);
        }
      }
    }
    try {
      String digest = digest(object);
      String key = OutputKeys.of(attempt.context().runId(), attempt.context().task(), digest);
      attempt.heartbeat().beat(0);
      store.put(key, object);
      long size = end - start;
      return new TaskOutcome(
          null,
          attempt.number(),
          attempt.host(),
          new OutputRef(key, size, digest, preview(object)));
    } finally {
      if (copy) {
        Files.deleteIfExists(object);
      }
    }
  }

  /** Opens a stored output whose bytes are checked against its size and digest as they are read. */
  private InputStream open(String name, OutputRef ref, Attempt attempt) throws IOException {
    InputStream raw;
    try {
      raw = store.open(ref.key());
    } catch (NoSuchFileException e) {
      throw attempt.nonRetryable(
          TaskFailures.OUTPUT_UNAVAILABLE,
          "the output of '"
              + name
              + "' is not in the output store ("
              + store.describe()
              + ", key "
              + ref.key()
              + "): this worker must use the store the task that produced it wrote to",
          null);
    }
    return new CheckedInputStream(raw, name, ref, attempt);
  }

  private final class CheckedInputStream extends DigestInputStream {
    private final String name;
    private final OutputRef ref;
    private final Attempt attempt;
    private long count;

    CheckedInputStream(InputStream in, String name, OutputRef ref, Attempt attempt) {
      super(in, sha256());
      this.name = name;
      this.ref = ref;
      this.attempt = attempt;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b < 0) {
        verify();
      } else {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n = super.read(buffer, offset, length);
      if (n < 0) {
        verify();
      } else {
        count += n;
      }
      return n;
    }

    private void verify() {
      String digest = HexFormat.of().formatHex(getMessageDigest().digest());
      if (count != ref.size() || !digest.equals(ref.sha256())) {
        throw attempt.nonRetryable(
            TaskFailures.OUTPUT_UNAVAILABLE,
            "the stored output of '"
                + name
                + "' ("
                + store.describe()
                + ", key "
                + ref.key()
                + ") is "
                + count
                + " bytes with SHA-256 "
                + digest
                + ", not the "
                + ref.size()
                + " bytes with SHA-256 "
                + ref.sha256()
                + " its task left: it was altered or cut",
            null);
      }
    }
  }

  private void checkSize(long size, Attempt attempt) {
    if (size > MAX_OUTPUT_BYTES) {
      throw attempt.nonRetryable(
          TaskFailures.OUTPUT_TOO_LARGE,
          "output is "
              + describe(size)
              + "; task outputs are limited to "
              + describe(MAX_OUTPUT_BYTES)
              + ": write large results to your own storage (a bucket, a volume) and output a"
              + " reference to them",
          null);
    }
  }

  private RuntimeException storeFailed(IOException e, Attempt attempt) {
    return attempt.retryable(
        TaskFailures.OUTPUT_STORE,
        "output store " + store.describe() + ": " + e.getMessage(),
        null);
  }

  private RuntimeException unavailable(String name, OutputRef ref, IOException e, Attempt attempt) {
    return attempt.retryable(
        TaskFailures.OUTPUT_STORE,
        "could not read the output of '"
            + name
            + "' from "
            + store.describe()
            + " (key "
            + ref.key()
            + "): "
            + e.getMessage(),
        null);
  }

  /** {@code [start, end)} without the ASCII blanks at either end. */
  private static long[] trim(FileChannel channel, long start, long end) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    while (start < end && byteAt(channel, start, one) <= ' ') {
      start++;
    }
    while (end > start && byteAt(channel, end - 1, one) <= ' ') {
      end--;
    }
    return new long[] {start, end};
  }

  private static int byteAt(FileChannel channel, long position, ByteBuffer one) throws IOException {
    one.clear();
    channel.read(one, position);
    return one.get(0) & 0xff;
  }

  private static String read(FileChannel channel, long start, long size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    long position = start;
    while (buffer.hasRemaining() && channel.read(buffer, position) >= 0) {
      position = start + buffer.position();
    }
    return new String(buffer.array(), StandardCharsets.UTF_8);
  }

  private static String preview(Path file) throws IOException {
    byte[] head = new byte[OutputRef.PREVIEW_CHARS * 4];
    int n;
    try (InputStream in = Files.newInputStream(file)) {
      n = in.readNBytes(head, 0, head.length);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(head, 0, n))
              .toString();
    } catch (CharacterCodingException e) {
      text = "";
    }
    int end = Math.min(text.length(), OutputRef.PREVIEW_CHARS);
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end);
  }

  private static String digest(Path file) throws IOException {
    MessageDigest sha = sha256();
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static long utf8Length(String text) {
    long bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
