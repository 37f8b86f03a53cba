package io.capstan.workflows.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.lang.ArchRule;
import java.io.Serializable;
import java.time.Clock;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.Timer;
import java.util.UUID;

/**
 * What workflow code may not touch, and which way modules may depend. Temporal's {@code
 * temporal-workflowcheck} checks determinism on bytecode but has no release on Maven Central, so
 * these rules stand in for it; replay tests catch what they cannot see.
 */
final class ArchitectureRules {
  static final String WORKFLOWS = "io.capstan.workflows..";
  static final String DEFINITIONS = "io.capstan.definitions..";

  private ArchitectureRules() {}

  /** Clocks: time comes from {@code Workflow.currentTimeMillis}, which replays the same. */
  static final ArchRule NO_WALL_CLOCK =
      noClasses()
          .that()
          .resideInAPackage(WORKFLOWS)
          .should()
          .callMethod(System.class, "currentTimeMillis")
          .orShould()
          .callMethod(System.class, "nanoTime")
          .orShould()
          .callMethodWhere(javaTimeNow())
          .orShould()
          .dependOnClassesThat(assignableTo(Clock.class))
          .because("workflow code reads time only through Workflow.currentTimeMillis");

  /** Randomness: {@code Workflow.randomUUID} and {@code Workflow.newRandom} replay the same. */
  static final ArchRule NO_RANDOMNESS =
      noClasses()
          .that()
          .resideInAPackage(WORKFLOWS)
          .should()
          .dependOnClassesThat(assignableTo(Random.class).or(assignableTo(SplittableRandom.class)))
          .orShould()
          .callMethod(Math.class, "random")
          .orShould()
          .callMethod(StrictMath.class, "random")
          .orShould()
          .callMethod(UUID.class, "randomUUID")
          .because("workflow code draws randomness only from Workflow.newRandom/randomUUID");

  /** Threads: Temporal runs workflow code on its own threads; Async and Promise replace them. */
  static final ArchRule NO_THREADS =
      noClasses()
          .that()
          .resideInAPackage(WORKFLOWS)
          .should()
          .dependOnClassesThat(
              assignableTo(Thread.class)
                  .or(assignableTo(Timer.class))
                  .or(resideInAnyPackage("java.util.concurrent..")))
          .because(
              "workflow code runs concurrently only through Async, Promise and Workflow.await");

  /** I/O, the environment and logging frameworks: side effects belong in activities. */
  static final ArchRule NO_IO =
      noClasses()
          .that()
          .resideInAPackage(WORKFLOWS)
          .should()
          .dependOnClassesThat(
              resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
                  .and(
                      DescribedPredicate.not(
                          HasName.Predicates.name(Serializable.class.getName()))))
          .orShould()
          .callMethod(System.class, "getenv")
          .orShould()
          .callMethod(System.class, "getenv", String.class)
          .orShould()
          .callMethod(System.class, "getProperty", String.class)
          .orShould()
          .accessField(System.class, "out")
          .orShould()
          .accessField(System.class, "err")
          .orShould()
          .dependOnClassesThat(
              resideInAnyPackage("java.util.logging..")
                  .or(HasName.Predicates.name("org.slf4j.LoggerFactory")))
          .because("side effects belong in activities; workflow code logs with Workflow.getLogger");

  /** {@code definitions} is what the user said; it knows nothing of how it runs. */
  static final ArchRule DEFINITIONS_KNOW_NO_TEMPORAL =
      noClasses()
          .that()
          .resideInAPackage(DEFINITIONS)
          .should()
          .dependOnClassesThat()
          .resideInAPackage("io.temporal..")
          .because("definitions are parsed and validated without Temporal");

  /** {@code workflows} compiles without the clients that activities and the API use. */
  static final ArchRule WORKFLOWS_KNOW_NO_SIDE_EFFECT_CLIENTS =
      workflowsDependOnNothingIn(
          "software.amazon..", "io.fabric8..", "io.javalin..", "org.bytedeco..");

  static ArchRule workflowsDependOnNothingIn(String... packages) {
    return noClasses()
        .that()
        .resideInAPackage(WORKFLOWS)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(packages)
        .because(
            "AWS, Kubernetes, HTTP and CUDA clients belong in activities, workers and the API");
  }

  private static DescribedPredicate<JavaMethodCall> javaTimeNow() {
    return DescribedPredicate.describe(
        "a java.time now() method",
        call ->
            call.getName().equals("now")
                && call.getTargetOwner().getPackageName().equals("java.time"));
  }
}
