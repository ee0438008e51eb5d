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
}
