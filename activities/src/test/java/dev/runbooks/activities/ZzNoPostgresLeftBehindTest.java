package dev.runbooks.activities;

import dev.runbooks.activities.testing.NoPostgresLeftBehind;
import org.junit.jupiter.api.Order;

/** Runs last in this module (see junit-platform.properties) and fails if a cluster leaked. */
@Order(Integer.MAX_VALUE)
class ZzNoPostgresLeftBehindTest extends NoPostgresLeftBehind {}
