package dev.runbooks.workflows.rotation;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Failures;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.TargetLockActivities;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

public class RotationWorkflowImpl extends RunbookWorkflowBase implements RotationWorkflow {
  static final List<String> STEPS = List.of(Preflight.STEP, "prepare", "renew", "grace", "expire");

  /** Runs before this change left the logins they created behind when they rolled back. */
  static final String DROPS_CREATED_LOGINS = "drops-created-logins";

  private final RotationActivities activities =
      Workflow.newActivityStub(RotationActivities.class, ActivityProfiles.QUICK_SQL);

  /** Milliseconds of the run's own work, the grace period left out. */
  private long worked;

  public RotationWorkflowImpl() {
    super(RunbookKind.ROTATE);
  }

  @Override
  public RotationResult run(RotationRequest request) {
    runbook = new Runbook(RunbookKind.ROTATE, request.runbook(), STEPS);
    return runbook.run(
        () -> {
          long started = Workflow.currentTimeMillis();
          runbook.lockTarget(
              Workflow.newActivityStub(TargetLockActivities.class, ActivityProfiles.TARGET_LOCK));
          Preflight.run(runbook);
          LoginPlan plan = prepare(request);
          RenewedLogin renewed = renew(request, plan);
          worked = Workflow.currentTimeMillis() - started;
          ExpiredLogin expired = retirePrevious(request, plan, renewed);
          return new RotationResult(
              request.role(),
              request.strategy(),
              plan.secretPath(),
              renewed.login(),
              renewed.version(),
              plan.currentVersion(),
              plan.currentLogin(),
              expired == null ? null : expired.login(),
              expired == null ? 0 : expired.sessionsTerminated(),
              Duration.ofMillis(worked),
              expired == null ? Duration.ZERO : request.grace());
        });
  }

  private LoginPlan prepare(RotationRequest request) {
    RotationInput input =
        new RotationInput(
            runbook.target(),
            request.role(),
            request.strategy(),
            runbook.idempotencyKey("prepare"));
    LoginPlan plan =
        runbook.step(
            "prepare",
            () -> activities.prepareLogins(input),
            p ->
                "renew "
                    + p.renewLogin()
                    + (p.currentVersion() == 0
                        ? "; " + p.secretPath() + " does not exist yet"
                        : "; current: "
                            + p.secretPath()
                            + "@"
                            + p.currentVersion()
                            + " ("
                            + p.currentLogin()
                            + ")")
                    + (p.createdLogins().isEmpty()
                        ? ""
                        : "; created " + String.join(", ", p.createdLogins())));
    // Registered after the call: prepare checks everything before it creates a login, so a prepare
    // that failed left none, and one that returned names those it (or an attempt of it) created.
    if (!plan.createdLogins().isEmpty()
        && Workflow.getVersion(DROPS_CREATED_LOGINS, Workflow.DEFAULT_VERSION, 1) >= 1) {
      DropLoginsInput drop =
          new DropLoginsInput(
              runbook.target(), plan.secretPath(), plan.createdLogins(), input.idempotencyKey());
      runbook.onRollback("prepare", () -> activities.dropCreatedLogins(drop));
    }
    return plan;
  }

  private RenewedLogin renew(RotationRequest request, LoginPlan plan) {
    RenewInput input =
        new RenewInput(
            runbook.target(),
            request.role(),
            request.strategy(),
            plan.renewLogin(),
            plan.secretPath(),
            plan.currentVersion(),
            runbook.idempotencyKey("renew"));
    RotationActivities renewing =
        Workflow.newActivityStub(
            RotationActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.QUICK_SQL, "new password for " + plan.renewLogin()));
    // Registered first: an attempt that timed out may have changed the login all the same.
    runbook.onRollback("renew", () -> activities.restoreLogin(input));
    RenewedLogin renewed =
        runbook.step(
            "renew",
            () -> renewing.renewLogin(input),
            r ->
                r.login()
                    + ": new password tested ("
                    + r.tested()
                    + ") and published as "
                    + plan.secretPath()
                    + "@"
                    + r.version());
    // Published: clients may already use it, so nothing undoes it from here on.
    runbook.settled("renew");
    runbook.settled("prepare");
    return renewed;
  }

  /**
   * After the grace period, expires the login clients used before. A failure here comes after the
   * new version was published: the run says which versions are in what state.
   */
  private ExpiredLogin retirePrevious(
      RotationRequest request, LoginPlan plan, RenewedLogin renewed) {
    if (request.strategy() == RotationStrategy.SINGLE) {
      String why = "single strategy: the old password stopped working when the new one was set";
      runbook.skip("grace", why);
      runbook.skip("expire", why);
      return null;
    }
    if (plan.previousLogin() == null) {
      String why =
          plan.currentLogin() == null
              ? "first rotation: no previous login to expire"
              : "the previous login "
                  + plan.currentLogin()
                  + " is not "
                  + RotationSecrets.loginA(request.role())
                  + " or "
                  + RotationSecrets.loginB(request.role())
                  + ": left as it is, expire it yourself";
      runbook.skip("grace", why);
      runbook.skip("expire", why);
      return null;
    }
    String previous = plan.previousLogin();
    try {
      Instant until = Instant.ofEpochMilli(Workflow.currentTimeMillis()).plus(request.grace());
      runbook.step(
          "grace",
          () -> {
            runbook.current(
                "grace period: clients move to "
                    + renewed.login()
                    + "; "
                    + previous
                    + " expires at "
                    + until);
            Workflow.sleep(request.grace());
          },
          "waited " + Texts.duration(request.grace()) + " for clients to re-read the secret");
      long expiring = Workflow.currentTimeMillis();
      ExpireInput input =
          new ExpireInput(
              runbook.target(), previous, plan.secretPath(), runbook.idempotencyKey("expire"));
      ExpiredLogin expired =
          runbook.step(
              "expire",
              () -> activities.expireLogin(input),
              e ->
                  e.login()
                      + " expired; "
                      + e.sessionsTerminated()
                      + " session"
                      + (e.sessionsTerminated() == 1 ? "" : "s")
                      + " terminated");
      worked += Workflow.currentTimeMillis() - expiring;
      return expired;
    } catch (RuntimeException e) {
      if (Failures.isCancellation(e)) {
        throw e;
      }
      FailureType type = Failures.typeOf(e);
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          "the new password of "
              + renewed.login()
              + " is published as "
              + plan.secretPath()
              + "@"
              + renewed.version()
              + " and works, but the previous version "
              + plan.secretPath()
              + "@"
              + plan.currentVersion()
              + " (login "
              + previous
              + ") was not expired: "
              + Failures.describe(e)
              + ". Fix: once clients use "
              + renewed.login()
              + ", run ALTER ROLE "
              + previous
              + " VALID UNTIL 'now' and terminate its sessions, or rotate again",
          type == null ? "RUNBOOK_FAILED" : type.name(),
          e);
    }
  }
}
