package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The shell policy decides which commands run, per namespace")
class ShellPolicyTest {
  @TempDir Path dir;

  private static final String POLICY =
      """
      allow:
        "*": [echo]
        team-a: [sh, python3, /usr/bin/env]
        ops: ["*"]
        locked: []
      """;

  @Nested
  @DisplayName("deciding")
  class Deciding {
    private final ShellPolicy policy = ShellPolicy.parse(POLICY, "test");

    @Test
    void aNamespaceWithItsOwnListMayRunExactlyThoseCommands() {
      assertThat(policy.allows("team-a", "sh")).isTrue();
      assertThat(policy.allows("team-a", "python3")).isTrue();
      assertThat(policy.allows("team-a", "echo")).isFalse();
      assertThat(policy.allows("team-a", "curl")).isFalse();
    }

    @Test
    void aBareNameDoesNotAllowAPathEndingInItNorTheReverse() {
      assertThat(policy.allows("team-a", "/tmp/evil/sh")).isFalse();
      assertThat(policy.allows("team-a", "./sh")).isFalse();
      assertThat(policy.allows("team-a", "/usr/bin/env")).isTrue();
      assertThat(policy.allows("team-a", "env")).isFalse();
    }

    @Test
    void aNamespaceWithoutAListUsesTheStarEntry() {
      assertThat(policy.allows("team-b", "echo")).isTrue();
      assertThat(policy.allows("team-b", "sh")).isFalse();
      assertThat(policy.allows(null, "echo")).isTrue();
    }

    @Test
    void aStarInAListAllowsAnything() {
      assertThat(policy.allows("ops", "anything-at-all")).isTrue();
    }

    @Test
    void anEmptyListAllowsNothingThere() {
      assertThat(policy.allows("locked", "echo")).isFalse();
      assertThat(policy.refusal("locked", "echo"))
          .contains(
              "command 'echo' is not allowed for namespace 'locked': no shell commands are"
                  + " allowed there; ask an admin to add it to the shell policy");
    }

    @Test
    void withoutAStarEntryAnUnlistedNamespaceMayRunNothing() {
      ShellPolicy strict = new ShellPolicy(true, Map.of("team-a", List.of("sh")));

      assertThat(strict.allows("team-b", "sh")).isFalse();
    }

    @Test
    void aRefusalNamesTheCommandTheNamespaceAndWhatIsAllowed() {
      assertThat(policy.refusal("team-a", "curl"))
          .contains(
              "command 'curl' is not allowed for namespace 'team-a': allowed are sh, python3,"
                  + " /usr/bin/env; ask an admin to add it to the shell policy");
      assertThat(policy.refusal("team-a", "sh")).isEmpty();
    }

    @Test
    void allowAllAllowsEverythingAndDisabledNothing() {
      assertThat(ShellPolicy.allowAll().allows("any", "curl")).isTrue();
      assertThat(ShellPolicy.disabled().enabled()).isFalse();
      assertThat(ShellPolicy.disabled().allows("any", "echo")).isFalse();
    }
  }

  @Nested
  @DisplayName("loading the policy file")
  class Loading {
    @Test
    void aFileIsEnabledUnlessItSaysOtherwise() throws Exception {
      Path file = dir.resolve("policy.yaml");
      Files.writeString(file, POLICY);

      ShellPolicy policy = ShellPolicy.load(file);

      assertThat(policy.enabled()).isTrue();
      assertThat(policy.allowedIn("team-a")).containsExactly("sh", "python3", "/usr/bin/env");
      assertThat(ShellPolicy.parse("enabled: false\n", "x").enabled()).isFalse();
    }

    @Test
    void everyProblemOfAFileIsNamedWithItsPlace() {
      String bad =
          """
          enable: true
          allow:
            Team_A: [sh]
            team-b: sh
            team-c: [bin/sh, ""]
          """;

      assertThatThrownBy(() -> ShellPolicy.parse(bad, "policy.yaml"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "shell policy policy.yaml is invalid:\n"
                  + "  enable: unknown field (the policy has 'enabled' and 'allow')\n"
                  + "  allow.Team_A: not a namespace (a DNS label) or \"*\"\n"
                  + "  allow.team-b: must be a list of commands, e.g. [sh, python3]\n"
                  + "  allow.team-c[0]: 'bin/sh' is a relative path; use a bare name (found on"
                  + " PATH) or an absolute path\n"
                  + "  allow.team-c[1]: must be a command name or an absolute path");
    }

    @Test
    void aMissingOrUnparsableFileSaysSo() {
      assertThatThrownBy(() -> ShellPolicy.load(dir.resolve("absent.yaml")))
          .hasMessageStartingWith("cannot read the shell policy " + dir.resolve("absent.yaml"));
      assertThatThrownBy(() -> ShellPolicy.parse("allow: [unclosed", "p.yaml"))
          .hasMessageStartingWith("shell policy p.yaml is not valid YAML");
      assertThatThrownBy(() -> ShellPolicy.parse("", "p.yaml"))
          .hasMessageStartingWith("shell policy p.yaml is empty");
    }
  }
}
