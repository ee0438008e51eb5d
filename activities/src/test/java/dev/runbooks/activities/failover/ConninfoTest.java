package dev.runbooks.activities.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConninfoTest {
  @Test
  void aimsAtAnotherServerKeepingEverythingElse() {
    String pgBasebackup =
        "user=postgres passfile='/root/.pgpass' channel_binding=prefer host=127.0.0.1"
            + " port=5432 sslmode=prefer application_name='it\\'s'";
    String moved = Conninfo.withServer(pgBasebackup, "db2.internal", 6543);
    assertEquals("db2.internal", Conninfo.get(moved, "host"));
    assertEquals("6543", Conninfo.get(moved, "port"));
    assertEquals("/root/.pgpass", Conninfo.get(moved, "passfile"));
    assertEquals("prefer", Conninfo.get(moved, "sslmode"));
    assertEquals("it's", Conninfo.get(moved, "application_name"));
    assertEquals(moved, Conninfo.withServer(moved, "db2.internal", 6543));
  }

  @Test
  void quotedValuesWithSpacesAndEscapesSurviveARoundTrip() {
    String info = "host=a password='p w\\'d\\\\x' hostaddr=10.0.0.1";
    List<Conninfo.Pair> pairs = Conninfo.parse(info);
    assertEquals("p w'd\\x", pairs.get(1).value());
    assertEquals(pairs, Conninfo.parse(Conninfo.format(pairs)));
    assertEquals(null, Conninfo.get(Conninfo.withServer(info, "b", 1), "hostaddr"));
  }

  @Test
  void aUriIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Conninfo.withServer("postgresql://db1:5432/x", "db2", 5432));
  }

  @Test
  void findsAPasswordInKeywordsAndInUris() {
    assertTrue(Conninfo.hasPassword("user=r password=secret host=db1"));
    assertTrue(Conninfo.hasPassword("user=r password='' host=db1"));
    assertTrue(Conninfo.hasPassword("postgresql://r:secret@db1:5432/x"));
    assertTrue(Conninfo.hasPassword("postgresql://r@db1:5432/x?password=secret"));
    assertTrue(Conninfo.hasPassword("user=r password='unterminated"));
    assertFalse(Conninfo.hasPassword("user=r passfile='/var/lib/postgresql/.pgpass' host=db1"));
    assertFalse(Conninfo.hasPassword("postgresql://r@db1:5432/x"));
    assertFalse(Conninfo.hasPassword(""));
    assertFalse(Conninfo.hasPassword(null));
  }
}
