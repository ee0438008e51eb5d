package dev.runbooks.workflows.rotation;

import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.TargetLockActivities;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Rotation activities over an in-memory "store": version 3 names app_a unless a test says there is
 * none; a test can make renew or expire fail. Also a target lock that is always free.
 */
final class FakeRotationActivities implements RotationActivities, TargetLockActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile boolean firstRotation;
  volatile boolean renewFails;
  volatile boolean expireFails;
  volatile boolean roleMissing;

  @Override
  public LoginPlan prepareLogins(RotationInput input) {
    calls.add("prepare " + input.role());
    if (roleMissing) {
      throw FailureType.NOT_FOUND.failure("role \"" + input.role() + "\" does not exist");
    }
    String path = RotationSecrets.path(input.target(), input.role());
    if (input.strategy() == RotationStrategy.SINGLE) {
      return new LoginPlan(path, input.role(), 3, input.role(), null, List.of());
    }
    if (firstRotation) {
      return new LoginPlan(
          path,
          input.role() + "_a",
          0,
          null,
          null,
          List.of(input.role() + "_a", input.role() + "_b"));
    }
    return new LoginPlan(
        path, input.role() + "_b", 3, input.role() + "_a", input.role() + "_a", List.of());
  }

  @Override
  public RenewedLogin renewLogin(RenewInput input) {
    calls.add("renew " + input.login() + " cas " + input.expectedVersion());
    if (renewFails) {
      throw FailureType.AUTHENTICATION.failure(
          "login " + input.login() + " could not log in with its new password");
    }
    return new RenewedLogin(input.login(), input.expectedVersion() + 1, "logged in, read t");
  }

  @Override
  public String restoreLogin(RenewInput input) {
    calls.add("restore " + input.login());
    return "put back " + input.login();
  }

  @Override
  public String dropCreatedLogins(DropLoginsInput input) {
    calls.add("drop " + String.join(", ", input.logins()));
    return "dropped " + String.join(", ", input.logins());
  }

  @Override
  public ExpiredLogin expireLogin(ExpireInput input) {
    calls.add("expire " + input.login());
    if (expireFails) {
      throw FailureType.PERMISSION_DENIED.failure("may not terminate sessions of " + input.login());
    }
    return new ExpiredLogin(input.login(), 2);
  }

  @Override
  public LockHolder acquireTargetLock(LockHolder request) {
    calls.add("lock " + request.target());
    return request;
  }

  @Override
  public void releaseTargetLock(LockHolder holder) {
    calls.add("unlock " + holder.target());
  }

  @Override
  public boolean isRunOpen(String workflowId) {
    return true;
  }
}
