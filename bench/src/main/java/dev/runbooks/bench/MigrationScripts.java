package dev.runbooks.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ten migrations {@code bench/migration} applies, with real work on its seeded {@code
 * app.events} table (a backfill, indexes built concurrently, a foreign key validated, a column
 * retyped), each with its down script, as Flyway and the runbook read them from one directory.
 */
final class MigrationScripts {
  private MigrationScripts() {}

  /** Ten migrations with real work on the seeded table, each with its down script. */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    String[][] m = {
      {
        "add_source",
        "ALTER TABLE app.events ADD COLUMN source text;",
        "ALTER TABLE app.events DROP COLUMN source;"
      },
      {
        "backfill_source",
        "UPDATE app.events SET source = CASE WHEN id % 2 = 0 THEN 'web' ELSE 'app' END;",
        "UPDATE app.events SET source = NULL;"
      },
      {
        "index_account",
        "CREATE INDEX CONCURRENTLY events_account_idx ON app.events (account_id);",
        "DROP INDEX CONCURRENTLY app.events_account_idx;"
      },
      {
        "create_accounts",
        "CREATE TABLE app.accounts (id int PRIMARY KEY, name text);\n"
            + "INSERT INTO app.accounts SELECT DISTINCT account_id, 'account ' || account_id FROM app.events;",
        "DROP TABLE app.accounts;"
      },
      {
        "events_account_fk",
        "ALTER TABLE app.events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id)"
            + " REFERENCES app.accounts (id) NOT VALID;",
        "ALTER TABLE app.events DROP CONSTRAINT events_account_fk;"
      },
      {
        "validate_fk",
        "ALTER TABLE app.events VALIDATE CONSTRAINT events_account_fk;",
        "ALTER TABLE app.events DROP CONSTRAINT events_account_fk;\n"
            + "ALTER TABLE app.events ADD CONSTRAINT events_account_fk FOREIGN KEY (account_id)"
            + " REFERENCES app.accounts (id) NOT VALID;"
      },
      {
        "created_at_plain",
        "ALTER TABLE app.events ALTER COLUMN created_at TYPE timestamp;",
        "ALTER TABLE app.events ALTER COLUMN created_at TYPE timestamptz;"
      },
      {
        "rename_kind",
        "ALTER TABLE app.events RENAME COLUMN kind TO event_kind;",
        "ALTER TABLE app.events RENAME COLUMN event_kind TO kind;"
      },
      {
        "index_created",
        "CREATE INDEX CONCURRENTLY events_created_idx ON app.events (created_at);",
        "DROP INDEX CONCURRENTLY app.events_created_idx;"
      },
      {
        "daily_counts",
        "CREATE TABLE app.daily_counts AS SELECT date_trunc('day', created_at) AS day, count(*) AS n"
            + " FROM app.events GROUP BY 1;",
        "DROP TABLE app.daily_counts;"
      },
    };
    for (int i = 0; i < m.length; i++) {
      int v = i + 1;
      Files.writeString(
          dir.resolve("V" + v + "__" + m[i][0] + ".sql"),
          "SET lock_timeout = '30s';\n" + m[i][1] + "\n");
      Files.writeString(
          dir.resolve("U" + v + "__" + m[i][0] + ".sql"),
          "SET lock_timeout = '30s';\n" + m[i][2] + "\n");
    }
    return dir;
  }
}
