package io.capstan.workflows.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.domain.properties.HasName;
import com.tngtech.archunit.lang.ArchRule;
import java.io.IOException;
import java.io.Serializable;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
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

  private static final DescribedPredicate<JavaClass> IN_WORKFLOWS =
      JavaClass.Predicates.resideInAPackage(WORKFLOWS);
  private static final DescribedPredicate<JavaClass> IN_DEFINITIONS =
      JavaClass.Predicates.resideInAPackage(DEFINITIONS);

  /**
   * The code that runs inside a workflow, which the determinism rules cover: the workflow packages,
   * and every {@code definitions} class that a workflow class depends on, directly or through other
   * definitions classes (the spec records and their {@code render} methods, {@code Templates}, the
   * Jackson readers that decode a workflow's input). It is computed rather than listed so that a
   * definitions class a workflow starts to call is covered from that commit on.
   *
   * <p>The rest of {@code definitions} is left out on purpose: the YAML parser and the JSON schema
   * it loads from the classpath (real I/O), the validators, {@code Planner} and {@code Durations}
   * run in the API before a run starts, never in a workflow. Should a workflow start to call one of
   * them, that one is covered from then on.
   */
  static final DescribedPredicate<JavaClass> WORKFLOW_CODE =
      DescribedPredicate.describe(
          "are workflow code or definitions code that workflow code depends on",
          ArchitectureRules::isWorkflowCode);

  private ArchitectureRules() {}

  /** Clocks: time comes from {@code Workflow.currentTimeMillis}, which replays the same. */
  static final ArchRule NO_WALL_CLOCK =
      noClasses()
          .that(WORKFLOW_CODE)
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
          .that(WORKFLOW_CODE)
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
          .that(WORKFLOW_CODE)
          .should()
          .dependOnClassesThat(
              assignableTo(Thread.class)
                  .or(assignableTo(Timer.class))
                  .or(resideInAnyPackage("java.util.concurrent..")))
          .because(
              "workflow code runs concurrently only through Async, Promise and Workflow.await");

  /**
   * I/O, the environment and logging frameworks: side effects belong in activities. {@code
   * IOException} alone is no I/O: a Jackson deserializer that decodes a workflow's input declares
   * it because Jackson's contract does, while the streams, files and sockets that do I/O stay
   * forbidden.
   */
  static final ArchRule NO_IO =
      noClasses()
          .that(WORKFLOW_CODE)
          .should()
          .dependOnClassesThat(
              resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
                  .and(
                      DescribedPredicate.not(
                          HasName.Predicates.name(Serializable.class.getName())
                              .or(HasName.Predicates.name(IOException.class.getName())))))
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

  /**
   * Whether {@code javaClass} is in a workflow package, or is a definitions class that a workflow
   * class reaches through the dependencies between the imported classes.
   */
  private static boolean isWorkflowCode(JavaClass javaClass) {
    if (IN_WORKFLOWS.test(javaClass)) {
      return true;
    }
    if (!IN_DEFINITIONS.test(javaClass)) {
      return false;
    }
    // Walk the dependencies backwards, through definitions classes only, until a workflow class.
    Set<JavaClass> seen = new HashSet<>(List.of(javaClass));
    ArrayDeque<JavaClass> next = new ArrayDeque<>(seen);
    while (!next.isEmpty()) {
      for (Dependency dependency : next.poll().getDirectDependenciesToSelf()) {
        JavaClass origin = dependency.getOriginClass();
        if (IN_WORKFLOWS.test(origin)) {
          return true;
        }
        if (IN_DEFINITIONS.test(origin) && seen.add(origin)) {
          next.add(origin);
        }
      }
    }
    return false;
  }

  private static DescribedPredicate<JavaMethodCall> javaTimeNow() {
    return DescribedPredicate.describe(
        "a java.time now() method",
        call ->
            call.getName().equals("now")
                && call.getTargetOwner().getPackageName().equals("java.time"));
  }
}
