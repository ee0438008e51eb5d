package dev.runbooks.cli;

/** How commands print: readable text, or JSON for scripts. */
enum Output {
  TEXT,
  JSON
}
