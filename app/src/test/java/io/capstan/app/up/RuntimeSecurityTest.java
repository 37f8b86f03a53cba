package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.auth.SubmitRate;
import io.capstan.api.auth.TokenHashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How {@code capstan up} decides its security before anything starts. */
@DisplayName("The security up resolves from its flags and environment")
class RuntimeSecurityTest {
  static final String TOKENS =
      "alice:operator:team-a:"
          + TokenHashes.sha256Hex("alice-token")
          + ";root:admin:*:"
          + TokenHashes.sha256Hex("root-token");

  static final String KEY_1 = Base64.getEncoder().encodeToString(new byte[32]);
  static final String KEY_2 = Base64.getEncoder().encodeToString(filled(32, (byte) 7));

  @TempDir Path dir;

  private static byte[] filled(int size, byte value) {
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, value);
    return bytes;
  }

  private static RuntimeSecurity resolve(String bind, Map<String, String> env) {
    return RuntimeSecurity.resolve(SecurityOptions.defaults(), bind, env);
  }

  @Test
  @DisplayName(
      "without tokens on a loopback address auth is off, and the banner says so loudly;"
          + " payloads are plaintext and it says that too")
  void loopbackWithoutTokensIsOffAndLoud() {
    RuntimeSecurity security = resolve("127.0.0.1", Map.of());

    assertThat(security.api().enabled()).isFalse();
    assertThat(security.authLine())
        .startsWith("AUTH IS OFF: anyone on this machine can use the API");
    assertThat(security.codec()).isEmpty();
    assertThat(security.payloadLine())
        .isEqualTo(
            "NOT encrypted: plaintext in Temporal's history (set CAPSTAN_CODEC_KEYS to encrypt"
                + " them)");
  }

  @Test
  @DisplayName(
      "a non-loopback address without tokens refuses to start, saying how to give tokens or bind"
          + " to 127.0.0.1")
  void nonLoopbackWithoutAuthRefuses() {
    for (String bind : List.of("0.0.0.0", "::", "10.1.2.3")) {
      assertThatThrownBy(() -> resolve(bind, Map.of()))
          .as(bind)
          .isInstanceOf(CapstanRuntime.StartupException.class)
          .hasMessageStartingWith(
              "refusing to serve the API on " + bind + " without authentication")
          .hasMessageContaining("--auth-file FILE")
          .hasMessageContaining("CAPSTAN_TOKENS")
          .hasMessageContaining("--bind 127.0.0.1");
    }
    assertThatThrownBy(
            () ->
                RuntimeSecurity.resolve(
                    SecurityOptions.defaults().withAuth(AuthMode.OFF, null),
                    "0.0.0.0",
                    Map.of("CAPSTAN_TOKENS", TOKENS)))
        .hasMessageStartingWith(
            "--auth off is allowed only on a loopback address, and the API would listen on"
                + " 0.0.0.0");
  }

  @Test
  @DisplayName("tokens in the environment turn auth on, on any address, and the banner names them")
  void tokensTurnAuthOn() {
    RuntimeSecurity security = resolve("0.0.0.0", Map.of("CAPSTAN_TOKENS", TOKENS));

    assertThat(security.api().enabled()).isTrue();
    assertThat(security.api().tokens().resolve("alice-token")).isPresent();
    assertThat(security.authLine())
        .isEqualTo(
            "bearer tokens for 2 principals (alice, root) from $CAPSTAN_TOKENS; submits 10/s,"
                + " burst 20 each; /metrics open");
  }

  @Test
  @DisplayName("--auth-file, --submit-rate and --metrics-auth shape the API's security")
  void authFileRateAndMetrics() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("tokens.yaml"),
            "tokens: [{name: ci, role: operator, namespaces: [\"*\"], sha256: %s}]"
                .formatted(TokenHashes.sha256Hex("ci-token")));
    SecurityOptions options =
        new SecurityOptions(AuthMode.AUTO, file, new SubmitRate(2, 4), true, List.of(), null, null);

    RuntimeSecurity security = RuntimeSecurity.resolve(options, "127.0.0.1", Map.of());

    assertThat(security.api().enabled()).isTrue();
    assertThat(security.api().metricsProtected()).isTrue();
    assertThat(security.authLine())
        .isEqualTo(
            "bearer tokens for 1 principal (ci) from "
                + file
                + "; submits 2/s, burst 4 each; /metrics admin only");
  }

  @Test
  @DisplayName("--auth on without tokens, and an invalid tokens file, refuse to start")
  void unusableAuthRefuses() throws IOException {
    assertThatThrownBy(
            () ->
                RuntimeSecurity.resolve(
                    SecurityOptions.defaults().withAuth(AuthMode.ON, null), "127.0.0.1", Map.of()))
        .hasMessageStartingWith("--auth on needs tokens: give tokens with --auth-file FILE");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "tokens: [{name: x}]");
    assertThatThrownBy(
            () ->
                RuntimeSecurity.resolve(
                    SecurityOptions.defaults().withAuth(AuthMode.AUTO, bad), "127.0.0.1", Map.of()))
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageContaining("tokens[0].role: required");
  }

  @Test
  @DisplayName("codec keys turn payload encryption on, and the banner names the active key")
  void codecOn() {
    RuntimeSecurity one = resolve("127.0.0.1", Map.of("CAPSTAN_CODEC_KEYS", "k1:" + KEY_1));
    RuntimeSecurity rotated =
        resolve(
            "127.0.0.1",
            Map.of(
                "CAPSTAN_CODEC_KEYS",
                "k1:" + KEY_1 + ",k2:" + KEY_2,
                "CAPSTAN_CODEC_ACTIVE_KEY",
                "k2"));

    assertThat(one.payloadLine()).isEqualTo("encrypted in Temporal (AES-256-GCM, key k1)");
    assertThat(rotated.payloadLine())
        .isEqualTo("encrypted in Temporal (AES-256-GCM, key k2; decrypts k1, k2)");
  }

  @Test
  @DisplayName("an unusable codec key, shell policy or secrets folder refuses to start")
  void unusableCodecPolicyOrSecretsRefuse() throws IOException {
    assertThatThrownBy(() -> resolve("127.0.0.1", Map.of("CAPSTAN_CODEC_KEYS", "k1:c2hvcnQ=")))
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageStartingWith("payload encryption: CAPSTAN_CODEC_KEYS: key 'k1' is 5 bytes");
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "allow: {Team_A: [sh]}");
    assertThatThrownBy(
            () ->
                RuntimeSecurity.resolve(
                    new SecurityOptions(null, null, null, false, null, policy, null),
                    "127.0.0.1",
                    Map.of()))
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageContaining("allow.Team_A: not a namespace");
    assertThatThrownBy(
            () ->
                RuntimeSecurity.resolve(
                    new SecurityOptions(
                        null, null, null, false, null, null, dir.resolve("no-such-folder")),
                    "127.0.0.1",
                    Map.of()))
        .hasMessageContaining(
            "--secrets-dir " + dir.resolve("no-such-folder") + " is not a folder");
  }

  @Test
  @DisplayName("a shell policy and a secrets folder are read for the worker")
  void shellPolicyAndSecrets() throws IOException {
    Path policy = Files.writeString(dir.resolve("policy.yaml"), "allow: {team-a: [echo]}");
    Path secrets = Files.createDirectories(dir.resolve("secrets"));
    Files.writeString(secrets.resolve("db-url"), "postgres://db\n");

    RuntimeSecurity security =
        RuntimeSecurity.resolve(
            new SecurityOptions(null, null, null, false, null, policy, secrets),
            "127.0.0.1",
            Map.of("CAPSTAN_SECRET_API_KEY", "k-123", "HOME", "/home/x"));

    assertThat(security.shellPolicy().allows("team-a", "echo")).isTrue();
    assertThat(security.shellPolicy().allows("team-a", "rm")).isFalse();
    assertThat(security.secrets().resolve("db-url")).contains("postgres://db");
    assertThat(security.secrets().resolve("api-key")).contains("k-123");
  }

  @Test
  @DisplayName("loopback means 127.0.0.0/8, ::1 and localhost")
  void loopbackAddresses() {
    assertThat(RuntimeSecurity.isLoopback("127.0.0.1")).isTrue();
    assertThat(RuntimeSecurity.isLoopback("127.1.2.3")).isTrue();
    assertThat(RuntimeSecurity.isLoopback("::1")).isTrue();
    assertThat(RuntimeSecurity.isLoopback("[::1]")).isTrue();
    assertThat(RuntimeSecurity.isLoopback("localhost")).isTrue();
    assertThat(RuntimeSecurity.isLoopback("0.0.0.0")).isFalse();
    assertThat(RuntimeSecurity.isLoopback("::")).isFalse();
    assertThat(RuntimeSecurity.isLoopback("192.168.1.10")).isFalse();
  }
}
