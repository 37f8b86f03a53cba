package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Secrets are found by name in the worker's environment or its secrets directory")
class SecretResolverTest {
  @TempDir Path dir;

  @Test
  void aSecretNameMapsToAnUpperCaseVariableWithUnderscores() {
    assertThat(SecretResolver.envName("db-url")).isEqualTo("CAPSTAN_SECRET_DB_URL");
    assertThat(SecretResolver.envName("api.token-2")).isEqualTo("CAPSTAN_SECRET_API_TOKEN_2");
  }

  @Test
  void theEnvironmentIsReadFirstThenTheDirectory() throws Exception {
    Files.writeString(dir.resolve("db-url"), "from-file");
    Files.writeString(dir.resolve("api-key"), "key-from-file\n");
    SecretResolver secrets =
        SecretResolver.fromEnvironment(Map.of("CAPSTAN_SECRET_DB_URL", "from-env"), dir);

    assertThat(secrets.resolve("db-url")).contains("from-env");
    assertThat(secrets.resolve("api-key")).contains("key-from-file");
    assertThat(secrets.resolve("absent")).isEmpty();
  }

  @Test
  void onlyCapstanSecretVariablesAreKept() {
    SecretResolver secrets =
        SecretResolver.fromEnvironment(Map.of("HOME", "/root", "PATH", "/bin"), null);

    assertThat(secrets.resolve("home")).isEmpty();
  }

  @Test
  void aNameThatCouldLeaveTheDirectoryIsRefused() {
    SecretResolver secrets = SecretResolver.fromEnvironment(Map.of(), dir);

    assertThatThrownBy(() -> secrets.resolve("../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("'../etc/passwd' is not a valid secret name");
    assertThatThrownBy(() -> secrets.resolve("..")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whereToPutASecretNamesTheVariableAndTheFile() {
    assertThat(SecretResolver.none().whereToPut("db-url"))
        .isEqualTo(
            "set CAPSTAN_SECRET_DB_URL in the worker's environment (or start the worker with"
                + " --secrets-dir)");
    assertThat(SecretResolver.fromEnvironment(Map.of(), dir).whereToPut("db-url"))
        .isEqualTo(
            "set CAPSTAN_SECRET_DB_URL in the worker's environment or create "
                + dir.resolve("db-url"));
  }

  @Test
  @DisplayName(
      "a Kubernetes Secret mounted as a volume is read through its symlinks, and a rotation shows at"
          + " the next read")
  void aMountedKubernetesSecretIsReadAndRotates() throws Exception {
    // The kubelet's layout: each key is a symlink into ..data, itself a symlink to a timestamped
    // folder that a rotation replaces atomically.
    Path first = Files.createDirectory(dir.resolve("..2026_11_25_10_00_00.1"));
    Files.writeString(first.resolve("db-url"), "postgres://old\n");
    Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(dir.resolve("db-url"), Path.of("..data", "db-url"));
    SecretResolver secrets = SecretResolver.fromEnvironment(Map.of(), dir);

    assertThat(secrets.resolve("db-url")).contains("postgres://old");

    Path second = Files.createDirectory(dir.resolve("..2026_11_25_11_00_00.2"));
    Files.writeString(second.resolve("db-url"), "postgres://new");
    Path swap = dir.resolve("..data_tmp");
    Files.createSymbolicLink(swap, second.getFileName());
    Files.move(
        swap,
        dir.resolve("..data"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);

    assertThat(secrets.resolve("db-url")).contains("postgres://new");
  }
}
