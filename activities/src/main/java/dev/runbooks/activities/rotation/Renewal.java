package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.postgres.Jdbc.identifier;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RenewedLogin;
import java.sql.Connection;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's "renew" step: a new random password, set as a SCRAM-SHA-256 verifier, proven by
 * {@link TestLogin}, published by {@link Publication}; any failure before the publication puts the
 * login back ({@link PutBack}). The password exists only inside this call.
 */
final class Renewal {
  private static final Logger log = LoggerFactory.getLogger(Renewal.class);

  private final RotationContext context;
  private final PutBack putBack;
  private final Publication publication;

  Renewal(RotationContext context, PutBack putBack, Publication publication) {
    this.context = context;
    this.putBack = putBack;
    this.publication = publication;
  }

  RenewedLogin renew(RenewInput in) {
    RotationContext.checkRoleName(in.role());
    RotationContext.checkRoleName(in.login());
    Secret current = context.current(in.secretPath());
    int version = current == null ? 0 : current.version();
    if (version != in.expectedVersion()) {
      if (version > in.expectedVersion() && in.login().equals(RotationContext.username(current))) {
        log.info(
            "login {} was published as {}@{} by an earlier attempt",
            in.login(),
            in.secretPath(),
            version);
        return new RenewedLogin(in.login(), version, "published by an earlier attempt");
      }
      throw Publication.conflict(in, version);
    }
    String password = context.newPassword();
    // One admin connection for the whole renewal, so the login can be put back even when the
    // secret store (which holds the admin secret too) stops answering halfway.
    try (Connection admin = context.connections.primary(in.target())) {
      PutBack.Undo undo = putBack.capture(admin, in, current);
      String probe = TestLogin.privilegeProbe(admin, in.role());
      ConnectionSpec spec = context.connections.connectionSpec(in.target());
      Jdbc.execute(
          admin,
          "ALTER ROLE "
              + identifier(in.login())
              + " PASSWORD '"
              + ScramVerifier.of(password.toCharArray(), context.random)
              + "' VALID UNTIL 'infinity'");
      try {
        String tested = TestLogin.run(in, password, spec, probe);
        int published = publication.publish(in, password);
        log.info(
            "renewed login {} of role {} on target {}: tested ({}), published as {}@{}",
            in.login(),
            in.role(),
            in.target(),
            tested,
            in.secretPath(),
            published);
        return new RenewedLogin(in.login(), published, tested);
      } catch (SecretStoreUnavailableException e) {
        if (e.status() == 0) {
          // No answer: the write may have landed. Leave the login working; a retry or the
          // rollback reads the store again and decides.
          log.warn(
              "the secret store did not answer the write of {}: login {} left as it is",
              in.secretPath(),
              in.login());
          throw e;
        }
        throw PutBack.undone(admin, undo, in, e);
      } catch (RuntimeException e) {
        throw PutBack.undone(admin, undo, in, e);
      }
    } catch (SQLException e) {
      throw context.sqlFailure("set the new password of " + in.login(), in.target(), e);
    }
  }
}
