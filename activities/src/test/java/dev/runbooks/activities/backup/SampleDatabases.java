package dev.runbooks.activities.backup;

import dev.runbooks.testing.LocalCluster;
import java.sql.SQLException;

/** The databases the backup tests dump: small, but with every kind of object a drill compares. */
final class SampleDatabases {
  /** Rows in shop's tables. */
  static final long CUSTOMERS = 1_000;

  static final long ORDERS = 3_000;
  static final long ORDER_LINES = 2_500;

  /** Rows in each of big's two tables: about 8 MB of compressed dump, several 1 MiB segments. */
  static final long BIG_ROWS = 100_000;

  private SampleDatabases() {}

  /**
   * Two schemas, three tables with a foreign key chain, a unique and a check constraint, an index,
   * a sequence of its own, a view, a function, and a column with a comment-free default.
   */
  static void createShop(LocalCluster cluster, String database) throws SQLException {
    cluster.execute("postgres", "CREATE DATABASE " + database);
    cluster.execute(
        database,
        "CREATE SCHEMA sales",
        "CREATE TABLE sales.customers (id bigserial PRIMARY KEY, name text NOT NULL,"
            + " email text UNIQUE)",
        "CREATE TABLE sales.orders (id serial PRIMARY KEY,"
            + " customer_id bigint NOT NULL REFERENCES sales.customers(id) ON DELETE CASCADE,"
            + " total numeric(10,2) CHECK (total >= 0), created timestamptz DEFAULT now())",
        "CREATE INDEX orders_customer_idx ON sales.orders (customer_id)",
        "CREATE TABLE public.order_lines (order_id int REFERENCES sales.orders(id),"
            + " line int, sku text, PRIMARY KEY (order_id, line))",
        "CREATE SEQUENCE sales.invoice_numbers START 1000",
        "SELECT nextval('sales.invoice_numbers')",
        "CREATE VIEW sales.big_orders AS SELECT * FROM sales.orders WHERE total > 100",
        "CREATE FUNCTION sales.order_total(o int) RETURNS numeric LANGUAGE sql STABLE"
            + " AS 'SELECT total FROM sales.orders WHERE id = o'",
        "INSERT INTO sales.customers (name, email) SELECT 'customer ' || g, 'c' || g || '@shop'"
            + " FROM generate_series(1, "
            + CUSTOMERS
            + ") g",
        "INSERT INTO sales.orders (customer_id, total) SELECT 1 + g % "
            + CUSTOMERS
            + ", g % 500 FROM generate_series(1, "
            + ORDERS
            + ") g",
        "INSERT INTO public.order_lines SELECT 1 + g % "
            + ORDERS
            + ", g, 'sku-' || g FROM generate_series(1, "
            + ORDER_LINES
            + ") g");
  }

  /** Two tables of hex text that compresses to about half, and a sequence dumped after them. */
  static void createBig(LocalCluster cluster, String database) throws SQLException {
    cluster.execute("postgres", "CREATE DATABASE " + database);
    cluster.execute(
        database,
        "CREATE TABLE samples_a (id serial PRIMARY KEY, a text, b text)",
        "CREATE TABLE samples_b (id serial PRIMARY KEY, a text, b text)",
        "INSERT INTO samples_a (a, b) SELECT md5(g::text), md5((-g)::text)"
            + " FROM generate_series(1, "
            + BIG_ROWS
            + ") g",
        "INSERT INTO samples_b (a, b) SELECT md5((g * 7)::text), md5((g * 13)::text)"
            + " FROM generate_series(1, "
            + BIG_ROWS
            + ") g");
  }

  /**
   * One object of every kind pg_dump writes beside tables and functions: an extension, enum,
   * composite and range types, a domain with a constraint, a procedure, an aggregate, triggers (one
   * disabled), an event trigger, row level security with a policy, a rule, a view, a materialized
   * view, a sequence with options, a collation, statistics, a text search configuration, a cast, an
   * operator, a publication, a foreign-data wrapper and server, comments and a large object.
   */
  static void createEveryKind(LocalCluster cluster, String database) throws SQLException {
    cluster.execute("postgres", "CREATE DATABASE " + database);
    cluster.execute(
        database,
        "CREATE EXTENSION pg_trgm",
        "CREATE SCHEMA app",
        "CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy')",
        "CREATE TYPE app.pair AS (x integer, label text)",
        "CREATE TYPE app.float_range AS RANGE (subtype = float8)",
        "CREATE DOMAIN app.positive AS integer NOT NULL DEFAULT 1"
            + " CONSTRAINT positive_check CHECK (VALUE > 0)",
        "CREATE TABLE app.notes (id serial PRIMARY KEY, body text, mood app.mood,"
            + " amount app.positive, owner_name text DEFAULT current_user, changed timestamptz)",
        "CREATE TABLE app.audit (note_id int, at timestamptz DEFAULT now())",
        "CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql"
            + " AS $$BEGIN NEW.changed := now(); RETURN NEW; END$$",
        "CREATE PROCEDURE app.purge(days int) LANGUAGE sql"
            + " AS $$DELETE FROM app.audit WHERE at < now() - make_interval(days => days)$$",
        "CREATE TRIGGER notes_touch BEFORE UPDATE ON app.notes"
            + " FOR EACH ROW EXECUTE FUNCTION app.touch()",
        "CREATE TRIGGER notes_touch_insert BEFORE INSERT ON app.notes"
            + " FOR EACH ROW EXECUTE FUNCTION app.touch()",
        "ALTER TABLE app.notes DISABLE TRIGGER notes_touch_insert",
        "CREATE FUNCTION app.no_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$",
        "CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION app.no_ddl()",
        "ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY own_notes ON app.notes FOR SELECT USING (owner_name = current_user)",
        "CREATE RULE audit_no_delete AS ON DELETE TO app.audit DO INSTEAD NOTHING",
        "CREATE VIEW app.happy_notes AS SELECT id, body FROM app.notes WHERE mood = 'happy'",
        "CREATE MATERIALIZED VIEW app.mood_counts AS"
            + " SELECT mood, count(*) FROM app.notes GROUP BY mood",
        "CREATE INDEX notes_body_trgm ON app.notes USING gin (body gin_trgm_ops)",
        "CREATE SEQUENCE app.tickets INCREMENT 5 MINVALUE 10 MAXVALUE 1000 CYCLE",
        "CREATE COLLATION app.german (provider = icu, locale = 'de-DE')",
        "CREATE STATISTICS app.notes_stats (dependencies) ON mood, amount FROM app.notes",
        "CREATE TEXT SEARCH CONFIGURATION app.simple_english (COPY = english)",
        "CREATE FUNCTION app.pair_x(app.pair) RETURNS int LANGUAGE sql AS 'SELECT $1.x'",
        "CREATE CAST (app.pair AS integer) WITH FUNCTION app.pair_x(app.pair)",
        "CREATE FUNCTION app.add_pairs(app.pair, app.pair) RETURNS int LANGUAGE sql"
            + " AS 'SELECT $1.x + $2.x'",
        "CREATE OPERATOR app.### (LEFTARG = app.pair, RIGHTARG = app.pair,"
            + " FUNCTION = app.add_pairs)",
        "CREATE AGGREGATE app.total(int) (SFUNC = int4pl, STYPE = int, INITCOND = '0')",
        "CREATE PUBLICATION notes_pub FOR TABLE app.notes",
        "CREATE FOREIGN DATA WRAPPER dummy_fdw",
        "CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw",
        "COMMENT ON TABLE app.notes IS 'what people wrote'",
        "COMMENT ON COLUMN app.notes.body IS 'the text'",
        "COMMENT ON TRIGGER notes_touch ON app.notes IS 'keeps changed current'",
        "INSERT INTO app.notes (body, mood, amount) VALUES ('hello', 'happy', 3), ('bye', 'sad', 2)",
        "SELECT lo_from_bytea(0, 'a large object')");
  }
}
