package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Task activity options: shell off unless asked, a policy and secrets when given")
class TaskActivitiesOptionsTest {
  @Test
  void theBooleanShortcutsMeanEveryCommandOrNone() {
    assertThat(TaskActivitiesOptions.of(true).shellPolicy()).isEqualTo(ShellPolicy.allowAll());
    assertThat(TaskActivitiesOptions.of(true).shellEnabled()).isTrue();
    assertThat(TaskActivitiesOptions.of(false).shellPolicy()).isEqualTo(ShellPolicy.disabled());
    assertThat(new TaskActivitiesOptions(false, "h", null, null).shellEnabled()).isFalse();
  }

  @Test
  void missingPartsTakeTheirDefaults() {
    TaskActivitiesOptions options = new TaskActivitiesOptions(null, null, null, null, null);

    assertThat(options.shellPolicy().enabled()).isFalse();
    assertThat(options.host()).isNotBlank();
    assertThat(options.clock()).isSameAs(TaskClock.SYSTEM);
    assertThat(options.heartbeatStep()).isEqualTo(TaskActivitiesOptions.DEFAULT_HEARTBEAT_STEP);
    assertThat(options.secrets()).isNotNull();
  }

  @Test
  void aPolicyAndSecretsReplaceOnlyTheirPart() {
    ShellPolicy policy = new ShellPolicy(true, Map.of("team-a", List.of("sh")));
    SecretResolver secrets = SecretResolver.fromEnvironment(Map.of(), null);

    TaskActivitiesOptions options =
        new TaskActivitiesOptions(true, "worker-3", null, Duration.ofMillis(20))
            .withShellPolicy(policy)
            .withSecrets(secrets);

    assertThat(options.shellPolicy()).isSameAs(policy);
    assertThat(options.secrets()).isSameAs(secrets);
    assertThat(options.host()).isEqualTo("worker-3");
    assertThat(options.heartbeatStep()).isEqualTo(Duration.ofMillis(20));
  }
}
