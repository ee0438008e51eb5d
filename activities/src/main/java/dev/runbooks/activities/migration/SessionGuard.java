package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.SessionSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;

/**
 * Before each version, on the connection Flyway applies it with: what earlier scripts set in the
 * session is reset ({@code RESET ALL}, keeping the search_path Flyway chose), and the worker's
 * session settings and the run's lock and statement timeouts are applied again. A {@code SET
 * lock_timeout = 0} in one version so cannot let a later one queue behind a long transaction.
 */
final class SessionGuard implements Callback {
  private final SessionSettings session;
  private final String timeouts;

  SessionGuard(SessionSettings session, Duration lockTimeout, Duration statementTimeout) {
    this.session = session;
    this.timeouts = Migrator.timeouts(lockTimeout, statementTimeout);
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_EACH_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true; // session SETs, before the script's statements in its transaction
  }

  @Override
  public void handle(Event event, Context context) {
    Connection c = context.getConnection();
    try (Statement s = c.createStatement()) {
      String searchPath;
      try (ResultSet rs = s.executeQuery("SELECT current_setting('search_path')")) {
        rs.next();
        searchPath = rs.getString(1);
      }
      s.execute("RESET ALL");
      try (var set = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
        set.setString(1, searchPath);
        set.executeQuery().close();
      }
      if (session != null) {
        session.apply(c);
      }
      s.execute(timeouts);
    } catch (SQLException e) {
      throw new FlywayException(
          "cannot reset the session before V"
              + context.getMigrationInfo().getVersion()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public String getCallbackName() {
    return "runbooks session guard";
  }
}
