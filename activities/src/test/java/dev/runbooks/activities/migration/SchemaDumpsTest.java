package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaDumpsTest {
  private static final String DUMP =
      "--\n-- PostgreSQL database dump\n--\n\\restrict abc123\n"
          + "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n\n"
          + "CREATE TABLE public.accounts (\n    id bigint NOT NULL,\n    email text\n);\n\n"
          + "CREATE INDEX accounts_email_idx ON public.accounts USING btree (email);\n"
          + "\\unrestrict abc123\n";

  @Test
  void normalisingDropsWhatDiffersBetweenIdenticalSchemas() {
    SchemaDumps.Schema a = SchemaDumps.normalise(DUMP);
    SchemaDumps.Schema b =
        SchemaDumps.normalise(DUMP.replace("abc123", "zzz999").replace("-- PostgreSQL", "-- x"));
    assertEquals(2, a.statements().size(), a.statements().toString());
    assertEquals(a.sha256(), b.sha256());
    assertEquals(List.of(), SchemaDumps.differences(a, b));
    // What a worker keeps and reads back compares equal to what it dumped.
    assertEquals(a.sha256(), SchemaDumps.normalise(a.text()).sha256());
  }

  @Test
  void differencesNameMissingAndExtraStatements() {
    SchemaDumps.Schema before = SchemaDumps.normalise(DUMP);
    SchemaDumps.Schema after =
        SchemaDumps.normalise(
            DUMP.replace(
                "CREATE INDEX accounts_email_idx ON public.accounts USING btree (email);\n",
                "CREATE TABLE public.audit (\n    id bigint\n);\n"));
    assertNotEquals(before.sha256(), after.sha256());
    assertEquals(
        List.of(
            "missing: CREATE INDEX accounts_email_idx ON public.accounts USING btree (email)",
            "extra: CREATE TABLE public.audit ( id bigint )"),
        SchemaDumps.differences(before, after));
  }
}
