package io.capstan.definitions;

import static io.capstan.definitions.Rejections.located;
import static io.capstan.definitions.Rejections.messages;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.cluster.LaunchTemplateRef;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RollingUpdateSpec;
import io.capstan.definitions.rollout.RolloutBudget;
import io.capstan.definitions.rollout.RolloutOnFailure;
import io.capstan.definitions.rollout.RolloutStrategy;
import io.capstan.definitions.rollout.RolloutWindow;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName(
    "Rolling updates are checked for their pool, budget, durations, checkpoints and window")
class RollingUpdateValidationTest {
  private static final String HEADER =
      """
      apiVersion: capstan.io/v1
      kind: RollingUpdate
      metadata: {name: general-to-v4}
      """;

  /** A rollout of pool general of cluster production to version 4, then what {@code spec} adds. */
  private static String rollout(String spec) {
    return HEADER
        + """
        spec:
          cluster: production
          nodePool: general
          launchTemplate: {name: k8s-node, version: "4"}
        """
        + spec.indent(2);
  }

  private static RollingUpdateSpec parse(String yaml) {
    return ((RollingUpdateDefinition) DefinitionParser.parse(yaml).get(0)).spec();
  }

  @Nested
  @DisplayName("a valid rolling update")
  class Valid {
    @Test
    void theSpecRolloutBindsEveryFieldIntoTheRecords() {
      RollingUpdateDefinition rollout =
          (RollingUpdateDefinition)
              DefinitionParser.parse(
                      """
                      kind: RollingUpdate
                      apiVersion: capstan.io/v1
                      metadata: {name: general-to-v4}
                      spec:
                        cluster: production
                        nodePool: general
                        launchTemplate: {name: k8s-node, version: "4"}
                        strategy: {maxSurge: 1, maxUnavailable: 0, drainTimeout: 60m, podEvictionTimeout: 2m,
                                   nodeDrainGracePeriod: 3m, force: false}
                        checkpoints: [{percent: 25, soak: 30m}, {percent: 100}]
                        soak: 0s
                        window: {cron: "0 22 * * MON-FRI", duration: 6h, timeZone: Europe/Paris}
                        onFailure: pause
                      """)
                  .get(0);

      RollingUpdateSpec spec = rollout.spec();
      assertThat(rollout.kind()).isEqualTo("RollingUpdate");
      assertThat(rollout.metadata().name()).isEqualTo("general-to-v4");
      assertThat(spec.cluster()).isEqualTo("production");
      assertThat(spec.nodePool()).isEqualTo("general");
      assertThat(spec.launchTemplate()).isEqualTo(new LaunchTemplateRef("k8s-node", "4"));
      assertThat(spec.strategy())
          .isEqualTo(
              new RolloutStrategy(
                  "1",
                  "0",
                  Duration.ofMinutes(60),
                  Duration.ofMinutes(2),
                  Duration.ofMinutes(3),
                  false,
                  true));
      assertThat(spec.checkpoints())
          .containsExactly(
              new Checkpoint(25, Duration.ofMinutes(30), false), new Checkpoint(100, null, null));
      assertThat(spec.soak()).isZero();
      assertThat(spec.window())
          .isEqualTo(new RolloutWindow("0 22 * * MON-FRI", Duration.ofHours(6), "Europe/Paris"));
      assertThat(spec.onFailure()).isEqualTo(RolloutOnFailure.PAUSE);
    }

    @Test
    @DisplayName("what is left out takes its default")
    void defaults() {
      RollingUpdateSpec spec = parse(rollout(""));

      assertThat(spec.strategy()).isEqualTo(RolloutStrategy.defaults());
      assertThat(spec.strategy().maxSurge()).isEqualTo("1");
      assertThat(spec.strategy().maxUnavailable()).isEqualTo("0");
      assertThat(spec.strategy().drainTimeout()).isEqualTo(Duration.ofMinutes(60));
      assertThat(spec.strategy().podEvictionTimeout()).isEqualTo(Duration.ofMinutes(2));
      assertThat(spec.strategy().nodeDrainGracePeriod()).isZero();
      assertThat(spec.strategy().forceAllowed()).isFalse();
      assertThat(spec.strategy().deleteEmptyDirData()).isTrue();
      assertThat(spec.checkpoints()).isEmpty();
      assertThat(spec.soak()).isZero();
      assertThat(spec.window()).isNull();
      assertThat(spec.onFailure()).isEqualTo(RolloutOnFailure.PAUSE);
    }

    @Test
    @DisplayName("a strategy given in part keeps the defaults of the rest")
    void partialStrategy() {
      RolloutStrategy strategy = parse(rollout("strategy: {maxUnavailable: 1}")).strategy();

      assertThat(strategy.maxSurge()).isEqualTo("1");
      assertThat(strategy.maxUnavailable()).isEqualTo("1");
      assertThat(strategy.drainTimeout()).isEqualTo(RolloutStrategy.DEFAULT_DRAIN_TIMEOUT);
    }

    @Test
    @DisplayName("maxSurge and maxUnavailable take YAML numbers and percentages")
    void countsAndPercentages() {
      RolloutStrategy counts =
          parse(rollout("strategy: {maxSurge: 2, maxUnavailable: 1}")).strategy();
      RolloutStrategy percentages =
          parse(rollout("strategy: {maxSurge: \"25%\", maxUnavailable: 10%}")).strategy();

      assertThat(counts.maxSurge()).isEqualTo("2");
      assertThat(counts.budget(10)).isEqualTo(new RolloutBudget(2, 1));
      assertThat(percentages.maxSurge()).isEqualTo("25%");
      assertThat(percentages.maxUnavailable()).isEqualTo("10%");
      assertThat(percentages.budget(10)).isEqualTo(new RolloutBudget(3, 1));
    }

    @Test
    @DisplayName("a surge of 0 is fine when some nodes may be unavailable, and the other way round")
    void oneOfTheTwoMayBeZero() {
      assertThat(parse(rollout("strategy: {maxSurge: 0, maxUnavailable: 1}")).strategy().budget(3))
          .isEqualTo(new RolloutBudget(0, 1));
      assertThat(parse(rollout("strategy: {maxSurge: 0, maxUnavailable: \"10%\"}"))).isNotNull();
      assertThat(parse(rollout("strategy: {maxSurge: \"50%\", maxUnavailable: 0}"))).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(
        strings = {"{version: 4}", "{version: $Latest}", "{name: k8s-node, version: $Default}"})
    @DisplayName(
        "the launch template's version is a number, $Latest or $Default; its name is optional")
    void launchTemplateVersions(String template) {
      assertThat(
              parse(
                      HEADER
                          + "spec: {cluster: production, nodePool: general, launchTemplate: "
                          + template
                          + "}\n")
                  .launchTemplate()
                  .version())
          .isIn("4", "$Latest", "$Default");
    }

    @Test
    @DisplayName("grace periods and soaks may be zero; a checkpoint may only bound batches")
    void zeroWaits() {
      RollingUpdateSpec spec =
          parse(
              rollout(
                  """
                  strategy: {nodeDrainGracePeriod: 0s}
                  soak: 0s
                  checkpoints: [{percent: 10, soak: 0s}, {percent: 50, pause: true}, {percent: 60, pause: false, soak: 1m}, {percent: 100}]
                  """));

      assertThat(spec.checkpoints())
          .extracting(Checkpoint::percent)
          .containsExactly(10, 50, 60, 100);
      assertThat(spec.checkpoints())
          .extracting(Checkpoint::pauses)
          .containsExactly(false, true, false, false);
    }

    @Test
    @DisplayName("a window's time zone defaults to UTC")
    void windowInUtc() {
      assertThat(
              parse(rollout("window: {cron: \"0 2 * * SUN\", duration: 4h}")).window().timeZone())
          .isEqualTo("UTC");
    }
  }

  @Nested
  @DisplayName("the cluster, pool and launch template")
  class Target {
    @Test
    void allThreeAreRequired() {
      assertThat(messages(HEADER + "spec: {onFailure: pause}\n"))
          .containsExactlyInAnyOrder(
              "spec.cluster: required field is missing",
              "spec.nodePool: required field is missing",
              "spec.launchTemplate: required field is missing");
    }

    @Test
    void theClusterAndPoolAreDnsLabels() {
      assertThat(
              messages(
                  HEADER
                      + "spec: {cluster: Production, nodePool: general_pool, launchTemplate:"
                      + " {version: \"4\"}}\n"))
          .containsExactly(
              "spec.cluster: 'Production' is not a DNS label: use lowercase letters, digits and"
                  + " '-', starting and ending with a letter or digit, at most 63 characters",
              "spec.nodePool: 'general_pool' is not a valid pool name: use lowercase letters,"
                  + " digits and '-', starting and ending with a letter or digit, at most 40"
                  + " characters");
    }

    @Test
    void theLaunchTemplateNeedsTheVersionToRollOnto() {
      assertThat(
              messages(
                  HEADER
                      + "spec: {cluster: production, nodePool: general, launchTemplate: {name:"
                      + " k8s-node}}\n"))
          .containsExactly("spec.launchTemplate.version: required field is missing");
    }

    @Test
    void aVersionIsANumberLatestOrDefault() {
      assertThat(
              messages(
                  HEADER
                      + "spec: {cluster: production, nodePool: general, launchTemplate: {version:"
                      + " v4}}\n"))
          .containsExactly(
              "spec.launchTemplate.version: 'v4' is not a launch template version: use a version"
                  + " number such as 3, $Latest or $Default");
    }
  }

  @Nested
  @DisplayName("the strategy")
  class Strategy {
    @Test
    void aSurgeThatIsNeitherACountNorAPercentageSaysWhatItTakes() {
      assertThat(messages(rollout("strategy: {maxSurge: two, maxUnavailable: -1}")))
          .containsExactly(
              "spec.strategy.maxSurge: maxSurge takes a count (2) or a percentage of the pool"
                  + " (\"25%\"), not 'two'",
              "spec.strategy.maxUnavailable: maxUnavailable takes a count (2) or a percentage of"
                  + " the pool (\"25%\"), not '-1'");
    }

    @Test
    void aPercentageIsAtMost100() {
      assertThat(messages(rollout("strategy: {maxUnavailable: 150%}")))
          .containsExactly(
              "spec.strategy.maxUnavailable: maxUnavailable is a percentage of at most 100%, not"
                  + " 150%");
    }

    @Test
    void aFractionIsNotACount() {
      assertThat(messages(rollout("strategy: {maxSurge: 1.5}")))
          .containsExactly(
              "spec.strategy.maxSurge: maxSurge takes a count (2) or a percentage of the pool"
                  + " (\"25%\"), not '1.5'");
    }

    @Test
    void aListIsTheSchemasToRefuse() {
      assertThat(messages(rollout("strategy: {maxSurge: [1]}")))
          .containsExactly("spec.strategy.maxSurge: expected a string, got a list");
    }

    @ParameterizedTest
    @ValueSource(
        strings = {
          "{maxSurge: 0, maxUnavailable: 0}",
          "{maxSurge: 0}",
          "{maxSurge: \"0%\", maxUnavailable: \"0%\"}",
          "{maxSurge: \"0\", maxUnavailable: 0%}"
        })
    @DisplayName("both zero is refused with what to change, whatever the pool's size")
    void bothZero(String strategy) {
      assertThat(messages(rollout("strategy: " + strategy)))
          .containsExactly(
              "spec.strategy.maxSurge: maxSurge and maxUnavailable are both 0: no node could be"
                  + " replaced (give maxSurge at least 1, or maxUnavailable)");
    }

    @Test
    void drainAndEvictionTimeoutsAreAboveZero() {
      assertThat(messages(rollout("strategy: {drainTimeout: 0s, podEvictionTimeout: 0m}")))
          .containsExactly(
              "spec.strategy.drainTimeout: '0s' is too short: use a duration above zero",
              "spec.strategy.podEvictionTimeout: '0m' is too short: use a duration above zero");
    }

    @Test
    void durationsAreDurationsOfAtMostAYear() {
      assertThat(
              messages(
                  rollout(
                      "strategy: {drainTimeout: an hour, nodeDrainGracePeriod: 400d}\nsoak: 2y")))
          .containsExactly(
              "spec.strategy.drainTimeout: 'an hour' is not a duration: use 500ms, 10s, 5m, 2h, 1d"
                  + " or ISO-8601 like PT5M",
              "spec.strategy.nodeDrainGracePeriod: '400d' is too long: at most 365d",
              "spec.soak: '2y' is not a duration: use 500ms, 10s, 5m, 2h, 1d or ISO-8601 like"
                  + " PT5M");
    }

    @Test
    void aMisspeltFieldSuggestsTheRightOne() {
      assertThat(messages(rollout("strategy: {maxSurg: 2}")))
          .containsExactly("spec.strategy.maxSurg: unknown field (did you mean 'maxSurge'?)");
    }
  }

  @Nested
  @DisplayName("the checkpoints")
  class Checkpoints {
    @Test
    void theyAreInStrictlyIncreasingPercent() {
      assertThat(
              messages(
                  rollout(
                      "checkpoints: [{percent: 50}, {percent: 25}, {percent: 75}, {percent:"
                          + " 75}]")))
          .containsExactly(
              "spec.checkpoints[1].percent: 25% is not above 50%, a checkpoint before it: list"
                  + " checkpoints in increasing percent, each percent once",
              "spec.checkpoints[3].percent: 75% is not above 75%, a checkpoint before it: list"
                  + " checkpoints in increasing percent, each percent once");
    }

    @Test
    void aPercentIsFrom1To100() {
      assertThat(messages(rollout("checkpoints: [{percent: 0}, {percent: 101}]")))
          .containsExactly(
              "spec.checkpoints[0].percent: 0 is out of range: must be between 1 and 100",
              "spec.checkpoints[1].percent: 101 is out of range: must be between 1 and 100");
    }

    @Test
    void aCheckpointSoaksOrPausesNotBoth() {
      assertThat(messages(rollout("checkpoints: [{percent: 50, soak: 30m, pause: true}]")))
          .containsExactly(
              "spec.checkpoints[0]: a checkpoint waits for its soak or for a resume signal, not"
                  + " both: remove soak, or pause");
    }

    @Test
    void aCheckpointNeedsItsPercent() {
      assertThat(messages(rollout("checkpoints: [{soak: 30m}]")))
          .containsExactly("spec.checkpoints[0].percent: required field is missing");
    }
  }

  @Nested
  @DisplayName("the window")
  class Window {
    @ParameterizedTest
    @ValueSource(strings = {"@daily", "@every 1h"})
    void itsCronIsFiveFieldsNotAShorthand(String cron) {
      assertThat(messages(rollout("window: {cron: \"" + cron + "\", duration: 6h}")))
          .containsExactly(
              "spec.window.cron: '"
                  + cron
                  + "' names no times of day: write five fields (minute hour day-of-month month"
                  + " day-of-week) such as \"0 22 * * MON-FRI\" (@every and shorthands such as"
                  + " @daily are for job schedules)");
    }

    @Test
    void aCronWithTooFewFieldsSaysHowManyItNeeds() {
      assertThat(messages(rollout("window: {cron: \"0 22 * *\", duration: 6h}")))
          .containsExactly(
              "spec.window.cron: '0 22 * *' has 4 fields, not 5: write five fields (minute hour"
                  + " day-of-month month day-of-week) such as \"0 22 * * MON-FRI\"");
    }

    @Test
    void aCronFieldOutOfRangeIsNamed() {
      assertThat(messages(rollout("window: {cron: \"0 25 * * MON-FRY\", duration: 6h}")))
          .containsExactly(
              "spec.window.cron: '0 25 * * MON-FRY' is not a valid schedule: hour '25' is out of"
                  + " range 0-23; write five fields (minute hour day-of-month month day-of-week)"
                  + " such as \"0 22 * * MON-FRI\"");
    }

    @Test
    void aCronThatNamesNoDateThatExistsNeverOpens() {
      assertThat(messages(rollout("window: {cron: \"0 22 30 FEB *\", duration: 6h}")))
          .containsExactly(
              "spec.window.cron: '0 22 30 FEB *' never matches: no date has the day of the month"
                  + " it names in the months it names (as February 30); write five fields (minute"
                  + " hour day-of-month month day-of-week) such as \"0 22 * * MON-FRI\"");
    }

    @Test
    void aLeapDayIsADateThatExists() {
      assertThat(parse(rollout("window: {cron: \"0 22 29 2 *\", duration: 6h}")).window())
          .isNotNull();
    }

    @Test
    void itsDurationIsAboveZeroAndAtMostAWeek() {
      assertThat(messages(rollout("window: {cron: \"0 22 * * *\", duration: 0s}")))
          .containsExactly("spec.window.duration: '0s' is too short: use a duration above zero");
      assertThat(messages(rollout("window: {cron: \"0 22 * * *\", duration: 8d}")))
          .containsExactly(
              "spec.window.duration: '8d' is too long: a window lasts at most 7d (a cron that"
                  + " opens it every week keeps it open all the time)");
      assertThat(parse(rollout("window: {cron: \"0 22 * * SUN\", duration: 7d}")).window())
          .isNotNull();
    }

    @Test
    void itsCronAndDurationAreRequired() {
      assertThat(messages(rollout("window: {timeZone: Europe/Paris}")))
          .containsExactlyInAnyOrder(
              "spec.window.cron: required field is missing",
              "spec.window.duration: required field is missing");
    }

    @Test
    void aMisspeltTimeZoneSuggestsTheRightOne() {
      assertThat(
              messages(
                  rollout("window: {cron: \"0 22 * * *\", duration: 6h, timeZone: Europe/Pariss}")))
          .containsExactly(
              "spec.window.timeZone: 'Europe/Pariss' is not a time zone (did you mean"
                  + " 'Europe/Paris'?): use an IANA id such as UTC, Europe/Berlin or"
                  + " America/New_York");
    }
  }

  @Nested
  @DisplayName("what happens on failure")
  class OnFailure {
    @Test
    void itIsOneOfPauseRollbackAndAbort() {
      assertThat(messages(rollout("onFailure: retry")))
          .containsExactly("spec.onFailure: 'retry' is not allowed: use pause, rollback or abort");
      assertThat(parse(rollout("onFailure: rollback")).onFailure())
          .isEqualTo(RolloutOnFailure.ROLLBACK);
      assertThat(parse(rollout("onFailure: abort")).onFailure()).isEqualTo(RolloutOnFailure.ABORT);
    }
  }

  @Test
  @DisplayName("every problem is reported at once, at its line and column")
  void everyProblemAtOnce() {
    List<String> problems =
        located(
            """
            apiVersion: capstan.io/v1
            kind: RollingUpdate
            metadata: {name: general-to-v4}
            spec:
              cluster: production
              nodePool: general
              launchTemplate: {version: "4"}
              strategy:
                maxSurge: 0
                maxUnavailable: 0
                drainTimeout: 0s
              checkpoints: [{percent: 50}, {percent: 50}]
              window: {cron: "@hourly", duration: 6h, timeZone: Mars/Olympus}
              onFailure: sometimes
            """);

    assertThat(problems)
        .containsExactly(
            "9:15 spec.strategy.maxSurge: maxSurge and maxUnavailable are both 0: no node could"
                + " be replaced (give maxSurge at least 1, or maxUnavailable)",
            "11:19 spec.strategy.drainTimeout: '0s' is too short: use a duration above zero",
            "12:42 spec.checkpoints[1].percent: 50% is not above 50%, a checkpoint before it:"
                + " list checkpoints in increasing percent, each percent once",
            "13:18 spec.window.cron: '@hourly' names no times of day: write five fields (minute"
                + " hour day-of-month month day-of-week) such as \"0 22 * * MON-FRI\" (@every and"
                + " shorthands such as @daily are for job schedules)",
            "13:53 spec.window.timeZone: 'Mars/Olympus' is not a time zone: use an IANA id such"
                + " as UTC, Europe/Berlin or America/New_York",
            "14:14 spec.onFailure: 'sometimes' is not allowed: use pause, rollback or abort");
  }
}
