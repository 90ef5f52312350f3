package dev.kelpie.shared.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The policy is the heart of the product and a specification: no Vert.x, no I/O, time passed in. Its wire and stored
 * forms live beside the other messages ({@code shared/.../message/PolicySpecJson}, {@code CheckMemoryJson}).
 */
class PurePolicyArchTest {

  private static final String POLICY = "dev.kelpie.shared.policy..";

  private static JavaClasses shared;

  @BeforeAll
  static void importClasses() {
    shared = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.kelpie.shared");
  }

  @Test
  @DisplayName("the rules below look at the real policy classes, not at an empty package")
  void policyClassesAreImported() {
    assertThat(shared.stream().filter(c -> c.getPackageName().equals("dev.kelpie.shared.policy")))
      .extracting(c -> c.getSimpleName()).contains("CheckState", "PolicySpec", "CheckMemory", "RestartBudget");
  }

  @Test
  @DisplayName("the shared policy uses nothing of Vert.x")
  void policyIsFreeOfVertx() {
    noClasses().that().resideInAPackage(POLICY)
      .should().dependOnClassesThat().resideInAPackage("io.vertx..")
      .because("the policy is a pure state machine; JSON forms belong in shared/.../message")
      .check(shared);
  }

  @Test
  @DisplayName("the shared policy does no I/O: no files, no sockets, no streams")
  void policyDoesNoIo() {
    noClasses().that().resideInAPackage(POLICY)
      .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.net..", "java.nio.file..",
        "java.nio.channels..")
      .because("the policy is given its inputs and the time; it never reads or writes anything itself")
      .check(shared);
  }

  @Test
  @DisplayName("the shared policy reads no clock of its own")
  void policyReadsNoClock() {
    noClasses().that().resideInAPackage(POLICY)
      .should().callMethod(java.time.Instant.class, "now")
      .orShould().callMethod(System.class, "currentTimeMillis")
      .orShould().callMethod(System.class, "nanoTime")
      .because("time is passed in, so the policy can be tested like a specification")
      .check(shared);
  }
}
