package dev.runbooks.activities.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PoolerIniTest {
  private static final String INI =
      "; generated\n"
          + "[databases]\n"
          + "orders = host=10.0.0.1 port=5432 dbname=orders\n"
          + "reports = host=10.0.0.2 port=5432 dbname=orders ; a replica\n"
          + "legacy = host=10.0.0.1 dbname=legacy\n"
          + "\n"
          + "[pgbouncer]\n"
          + "listen_port = 6432\n"
          + "host = 10.0.0.1\n";

  @Test
  void movesOnlyTheEntriesOfTheOldPrimaryAndKeepsTheRest() {
    PoolerIni.Rewrite r = PoolerIni.rewrite(INI, "10.0.0.1", 5432, "10.0.0.3", 5433);
    assertEquals(List.of("orders", "legacy"), r.changed());
    assertEquals(
        "; generated\n"
            + "[databases]\n"
            + "orders = host=10.0.0.3 port=5433 dbname=orders\n"
            + "reports = host=10.0.0.2 port=5432 dbname=orders ; a replica\n"
            + "legacy = host=10.0.0.3 dbname=legacy port=5433\n"
            + "\n"
            + "[pgbouncer]\n"
            + "listen_port = 6432\n"
            + "host = 10.0.0.1\n",
        r.text());
  }

  @Test
  void aSecondRunFindsItDone() {
    String once = PoolerIni.rewrite(INI, "10.0.0.1", 5432, "10.0.0.3", 5433).text();
    PoolerIni.Rewrite twice = PoolerIni.rewrite(once, "10.0.0.1", 5432, "10.0.0.3", 5433);
    assertEquals(once, twice.text());
    assertEquals(List.of(), twice.changed());
    assertEquals(List.of("orders", "legacy"), twice.already());
  }
}
