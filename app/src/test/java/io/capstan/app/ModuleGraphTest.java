package io.capstan.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The module graph at the level of classes, over every module's main code on app's classpath (app
 * sees them all). maven-enforcer bans the dependencies between jars; these rules catch what a jar
 * ban cannot: a package of a library that every module may have on its classpath.
 */
@DisplayName("The module graph, class by class")
class ModuleGraphTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          // Test jars (the API's and the definitions' fixtures) are tests too.
          .withImportOption(location -> !location.contains("-tests.jar"))
          .importPackages("io.capstan");

  static final ArchRule ONLY_APP_USES_TEMPORAL_INTERNALS =
      noClasses()
          .that()
          .resideOutsideOfPackage("io.capstan.app..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.temporal.internal..")
          .because(
              "io.temporal.internal is the SDK's private code: only app's in-process test-server"
                  + " fallback may touch it");

  static final ArchRule CLI_KNOWS_ONLY_HTTP_AND_JSON =
      noClasses()
          .that()
          .resideInAPackage("io.capstan.cli..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.capstan.api..",
              "io.capstan.workflows..",
              "io.capstan.definitions..",
              "io.capstan.activities..",
              "io.capstan.workers..",
              "io.capstan.app..",
              "io.temporal..")
          .because("the capstan client is a thin HTTP + JSON client of the API");

  static final ArchRule API_CALLS_NO_ACTIVITY =
      noClasses()
          .that()
          .resideInAPackage("io.capstan.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.capstan.activities..", "io.capstan.gpu..", "io.capstan.workers..")
          .because("the API starts and inspects workflows; activities run only on workers");

  @Test
  @DisplayName("the rules see the main code of every module, and no test code")
  void importSeesEveryModule() {
    assertThat(MAIN.contain("io.capstan.cli.CapstanCli")).isTrue();
    assertThat(MAIN.contain("io.capstan.api.ApiApp")).isTrue();
    assertThat(MAIN.contain("io.capstan.activities.task.TaskActivitiesImpl")).isTrue();
    assertThat(MAIN.contain("io.capstan.app.CapstanMain")).isTrue();
    assertThat(MAIN.contain("io.capstan.api.Definitions")).as("the API's test fixtures").isFalse();
    assertThat(MAIN.contain(ModuleGraphTest.class)).isFalse();
  }

  @Test
  @DisplayName("only app uses io.temporal.internal")
  void onlyAppUsesTemporalInternals() {
    ONLY_APP_USES_TEMPORAL_INTERNALS.check(MAIN);
  }

  @Test
  @DisplayName("the CLI knows only HTTP and JSON")
  void cliKnowsOnlyHttpAndJson() {
    CLI_KNOWS_ONLY_HTTP_AND_JSON.check(MAIN);
  }

  @Test
  @DisplayName("the API calls no activity and wires no worker")
  void apiCallsNoActivity() {
    API_CALLS_NO_ACTIVITY.check(MAIN);
  }
}
