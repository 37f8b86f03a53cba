package io.capstan.api.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Tokens from a file or CAPSTAN_TOKENS")
class TokenRegistryTest {
  @TempDir Path dir;

  private Path file(String yaml) throws IOException {
    return Files.writeString(dir.resolve("tokens.yaml"), yaml);
  }

  @Test
  @DisplayName(
      "a tokens file maps each token's hash to its principal; other tokens resolve to none")
  void fileResolvesTokens() throws IOException {
    TokenRegistry tokens =
        TokenRegistry.fromFile(
            file(
                """
                tokens:
                  - name: alice
                    role: operator
                    namespaces: [team-a, team-c]
                    sha256: %s
                  - name: root
                    role: Admin
                    namespaces: ["*"]
                    sha256: %s
                """
                    .formatted(
                        TokenHashes.sha256Hex("alice-secret"),
                        TokenHashes.sha256Hex("root-secret").toUpperCase(Locale.ROOT))));

    assertThat(tokens.resolve("alice-secret"))
        .contains(new Principal("alice", Role.OPERATOR, Set.of("team-a", "team-c")));
    assertThat(tokens.resolve("root-secret").orElseThrow().allNamespaces()).isTrue();
    assertThat(tokens.resolve("alice-secret ")).isEmpty();
    assertThat(tokens.resolve("")).isEmpty();
    assertThat(tokens.size()).isEqualTo(2);
  }

  @Test
  @DisplayName("every mistake in a tokens file is reported at once, with its entry and the fix")
  void fileProblemsAreAllReported() throws IOException {
    Path path =
        file(
            """
            tokens:
              - name: alice
                role: owner
                namespaces: [Team_A]
                token: plain-text
              - role: viewer
                namespaces: []
                sha256: abc
            """);

    assertThatThrownBy(() -> TokenRegistry.fromFile(path))
        .isInstanceOf(InvalidTokensException.class)
        .hasMessageStartingWith("invalid tokens in " + path + ": ")
        .hasMessageContaining(
            "tokens[0].token: unknown field; store only the hash, as sha256 (capstan token hash"
                + " prints it)")
        .hasMessageContaining(
            "tokens[0].role: 'owner' is not a role: use one of viewer, operator, admin")
        .hasMessageContaining("tokens[0].namespaces: 'Team_A' is not a namespace")
        .hasMessageContaining("tokens[0].sha256: required")
        .hasMessageContaining("tokens[1].name: required")
        .hasMessageContaining("tokens[1].namespaces: required")
        .hasMessageContaining("tokens[1].sha256: not 64 hex digits");
  }

  @Test
  @DisplayName("CAPSTAN_TOKENS holds name:role:namespaces:sha256 entries separated by ';'")
  void specResolvesTokens() {
    TokenRegistry tokens =
        TokenRegistry.fromSpec(
            "bob:viewer:team-a,team-b:"
                + TokenHashes.sha256Hex("bob-secret")
                + "; ci:operator:*:"
                + TokenHashes.sha256Hex("ci-secret")
                + ";");

    Principal bob = tokens.resolve("bob-secret").orElseThrow();
    assertThat(bob.role()).isEqualTo(Role.VIEWER);
    assertThat(bob.mayUse("team-b")).isTrue();
    assertThat(bob.mayUse("team-c")).isFalse();
    assertThat(tokens.resolve("ci-secret").orElseThrow().mayUse("anything")).isTrue();
  }

  @Test
  @DisplayName("a malformed CAPSTAN_TOKENS entry says how to write one")
  void specProblems() {
    assertThatThrownBy(() -> TokenRegistry.fromSpec("bob:viewer:" + TokenHashes.sha256Hex("x")))
        .hasMessage(
            "invalid tokens in CAPSTAN_TOKENS: entry 1: write it as name:role:ns1,ns2:sha256hex (3"
                + " parts)");
  }

  @Test
  @DisplayName("two entries with one name or one token are refused; so is a source with none")
  void duplicatesAndEmptiness() {
    String hash = TokenHashes.sha256Hex("same");
    assertThatThrownBy(() -> TokenRegistry.fromSpec("a:viewer:x:" + hash + ";b:viewer:x:" + hash))
        .hasMessageContaining("'b' has the same token as another entry");
    assertThatThrownBy(
            () ->
                TokenRegistry.fromSpec(
                    "a:viewer:x:" + hash + ";a:viewer:x:" + TokenHashes.sha256Hex("other")))
        .hasMessageContaining("'a' is named twice");
    assertThatThrownBy(() -> TokenRegistry.fromSpec(" ; "))
        .hasMessageContaining("it lists no tokens, so nobody could use the API");
  }

  @Test
  @DisplayName(
      "the configured tokens come from --auth-file, else CAPSTAN_AUTH_FILE, plus CAPSTAN_TOKENS;"
          + " none of them means none")
  void configuredSources() throws IOException {
    Path path =
        file(
            "tokens: [{name: alice, role: viewer, namespaces: [a], sha256: %s}]"
                .formatted(TokenHashes.sha256Hex("alice-secret")));
    String bob = "bob:admin:*:" + TokenHashes.sha256Hex("bob-secret");

    assertThat(TokenRegistry.configured(null, Map.of())).isEmpty();
    assertThat(TokenRegistry.configured(path, Map.of()).orElseThrow().size()).isEqualTo(1);
    TokenRegistry both =
        TokenRegistry.configured(
                null,
                Map.of(TokenRegistry.AUTH_FILE_ENV, path.toString(), TokenRegistry.TOKENS_ENV, bob))
            .orElseThrow();
    assertThat(both.principals()).extracting(Principal::name).containsExactly("alice", "bob");
    assertThatThrownBy(() -> TokenRegistry.configured(dir.resolve("missing.yaml"), Map.of()))
        .hasMessageContaining("missing.yaml")
        .hasMessageContaining("cannot read it");
  }

  @Test
  @DisplayName("the hash is the hex SHA-256 of the token's UTF-8 text")
  void hashIsSha256Hex() {
    assertThat(TokenHashes.sha256Hex("abc"))
        .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }
}
