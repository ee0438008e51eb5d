package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.SecretRef;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SecretStore} must do, whatever keeps the secrets. A subclass supplies the
 * store; on a backend shared between runs (a real Vault) it also supplies a {@link #prefix()} no
 * other run uses, and every path here goes under it.
 */
abstract class SecretStoreContract {
  static final String PASSWORD = "correct-horse-battery-staple-7341";

  /** The store under test, empty under {@link #prefix()}. */
  protected abstract SecretStore store();

  /** A second store over the same secrets, as another worker would open it. */
  protected abstract SecretStore reopen();

  /** Prepended to every path: "" for a store of the test's own, else {@code run-id/}. */
  protected String prefix() {
    return "";
  }

  /** How many versions each of two concurrent writers adds to one secret. */
  protected int writesPerWriter() {
    return 40;
  }

  /** {@code path} under this test's prefix. */
  protected final String p(String path) {
    return prefix() + path;
  }

  static Map<String, String> admin(String password) {
    return Map.of("username", "runbooks_admin", "password", password);
  }

  @Test
  void keepsEveryVersionAndReadsTheLatestOrTheOneAskedFor() {
    SecretStore store = store();
    assertEquals(1, store.write(p("db/orders/admin"), admin("one"), OptionalInt.empty()));
    assertEquals(2, store.write(p("db/orders/admin"), admin("two"), OptionalInt.empty()));
    assertEquals(1, store.write(p("db/billing/admin"), admin("other"), OptionalInt.empty()));

    Secret latest = store.read(SecretRef.parse(p("db/orders/admin")));
    assertEquals(p("db/orders/admin"), latest.path());
    assertEquals(2, latest.version());
    assertEquals(admin("two"), latest.data());
    assertEquals("two", latest.require("password"));
    assertEquals(admin("one"), store.read(SecretRef.parse(p("db/orders/admin") + "@1")).data());
    assertEquals(admin("other"), store.read(SecretRef.parse(p("db/billing/admin"))).data());

    // A second store over the same secrets sees what the first wrote.
    assertEquals(2, reopen().read(SecretRef.parse(p("db/orders/admin"))).version());
  }

  @Test
  void describesEveryVersionOldestFirst() {
    SecretStore store = store();
    store.write(p("db/a"), admin("1"), OptionalInt.empty());
    store.write(p("db/a"), admin("2"), OptionalInt.empty());
    store.write(p("db/a"), admin("3"), OptionalInt.empty());

    SecretMetadata metadata = store.metadata(p("db/a"));
    assertEquals(p("db/a"), metadata.path());
    assertEquals(3, metadata.currentVersion());
    assertEquals(List.of(1, 2, 3), metadata.versions().stream().map(v -> v.version()).toList());
    for (int i = 1; i < metadata.versions().size(); i++) {
      assertFalse(
          metadata.versions().get(i).created().isBefore(metadata.versions().get(i - 1).created()),
          "versions are created in order: " + metadata.versions());
    }
  }

  @Test
  void checkAndSetZeroCreatesOnlyWhenMissing() {
    SecretStore store = store();
    assertEquals(1, store.write(p("db/a"), admin("1"), OptionalInt.of(0)));
    SecretConflictException e =
        assertThrows(
            SecretConflictException.class,
            () -> store.write(p("db/a"), admin("2"), OptionalInt.of(0)));
    assertEquals(p("db/a"), e.path());
    assertEquals(0, e.expected());
    assertEquals(1, e.actual());
    assertTrue(
        e.getMessage().contains("expected the secret not to exist, but version 1 is current"),
        e.getMessage());
    assertEquals(1, store.metadata(p("db/a")).currentVersion());
  }

  @Test
  void checkAndSetRefusesAStaleVersionAndAcceptsTheCurrentOne() {
    SecretStore store = store();
    store.write(p("db/a"), admin("1"), OptionalInt.empty());
    store.write(p("db/a"), admin("2"), OptionalInt.empty());

    SecretConflictException stale =
        assertThrows(
            SecretConflictException.class,
            () -> store.write(p("db/a"), admin("3"), OptionalInt.of(1)));
    assertEquals(1, stale.expected());
    assertEquals(2, stale.actual());
    assertTrue(stale.getMessage().contains("Fix: "), stale.getMessage());
    assertFalse(stale.getMessage().contains(PASSWORD));

    SecretConflictException missing =
        assertThrows(
            SecretConflictException.class,
            () -> store.write(p("db/new"), admin("1"), OptionalInt.of(4)));
    assertEquals(0, missing.actual());

    assertEquals(3, store.write(p("db/a"), admin("3"), OptionalInt.of(2)));
    assertEquals(admin("3"), store.read(SecretRef.parse(p("db/a"))).data());
  }

  @Test
  void reportsMissingSecretsAndVersions() {
    SecretStore store = store();
    SecretNotFoundException noSecret =
        assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse(p("db/a"))));
    assertEquals(p("db/a"), noSecret.path());
    assertNull(noSecret.version());

    store.write(p("db/a"), admin(PASSWORD), OptionalInt.empty());
    assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse(p("db/b"))));
    assertThrows(SecretNotFoundException.class, () -> store.metadata(p("db/b")));
    SecretNotFoundException noVersion =
        assertThrows(
            SecretNotFoundException.class, () -> store.read(SecretRef.parse(p("db/a") + "@2")));
    assertEquals(2, noVersion.version());
    assertTrue(noVersion.getMessage().contains("its versions are [1]"), noVersion.getMessage());
    assertTrue(noVersion.getMessage().contains(p("db/a") + "@1"), noVersion.getMessage());
    assertFalse(noVersion.getMessage().contains(PASSWORD));
  }

  @Test
  void refusesMalformedPaths() {
    SecretStore store = store();
    assertThrows(
        IllegalArgumentException.class,
        () -> store.write("../etc", admin("x"), OptionalInt.empty()));
    assertThrows(IllegalArgumentException.class, () -> store.metadata("/abs"));
    assertThrows(IllegalArgumentException.class, () -> store.read(new SecretRef("a//b", null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.write(p("db/a"), admin("x"), OptionalInt.of(-1)));
  }

  @Test
  void neverShowsValuesInToStringOrMessages() {
    SecretStore store = store();
    store.write(p("db/a"), admin(PASSWORD), OptionalInt.empty());
    Secret secret = store.read(SecretRef.parse(p("db/a")));

    String text = secret.toString();
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains("runbooks_admin"), text);
    assertTrue(text.contains(p("db/a")) && text.contains("version=1"), text);
    assertTrue(text.contains("password") && text.contains("username"), "keys are named: " + text);

    SecretStoreException missingKey =
        assertThrows(SecretStoreException.class, () -> secret.require("token"));
    assertTrue(missingKey.getMessage().contains("no key \"token\""), missingKey.getMessage());
    assertFalse(missingKey.getMessage().contains(PASSWORD));
    assertFalse(store.metadata(p("db/a")).toString().contains(PASSWORD));
    assertFalse(store.toString().contains(PASSWORD), store.toString());
  }

  @Test
  void twoWritersAtOnceLoseNoVersion() throws Exception {
    SecretStore first = store();
    SecretStore second = reopen();
    int perWriter = writesPerWriter();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (SecretStore store : List.of(first, second)) {
        String writer = store == first ? "first" : "second";
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Integer> versions = new ArrayList<>();
                  for (int i = 0; i < perWriter; i++) {
                    versions.add(
                        store.write(
                            p("shared/secret"),
                            Map.of("writer", writer, "n", Integer.toString(i)),
                            OptionalInt.empty()));
                  }
                  return versions;
                }));
      }
      start.countDown();
      Set<Integer> returned = new HashSet<>();
      for (Future<List<Integer>> result : results) {
        returned.addAll(result.get(60, TimeUnit.SECONDS));
      }
      assertEquals(2 * perWriter, returned.size(), "every write got its own version");
    } finally {
      pool.shutdownNow();
    }
    assertEveryWriteKept(first, p("shared/secret"), List.of("first", "second"), perWriter);
  }

  /** Versions 1..N of {@code path} all exist, in order, and hold every writer's every value. */
  static void assertEveryWriteKept(
      SecretStore store, String path, List<String> writers, int perWriter) {
    SecretMetadata metadata = store.metadata(path);
    int total = writers.size() * perWriter;
    assertEquals(total, metadata.currentVersion());
    List<Integer> numbers = new ArrayList<>();
    for (SecretMetadata.Version v : metadata.versions()) {
      numbers.add(v.version());
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= total; i++) {
      expected.add(i);
    }
    assertEquals(expected, numbers, "versions 1.." + total + " in order, none lost");

    Set<String> written = new HashSet<>();
    for (int v = 1; v <= total; v++) {
      Map<String, String> data = store.read(new SecretRef(path, v)).data();
      written.add(data.get("writer") + "/" + data.get("n"));
    }
    for (String writer : writers) {
      for (int i = 0; i < perWriter; i++) {
        assertTrue(written.contains(writer + "/" + i), "kept " + writer + "/" + i);
      }
    }
  }
}
