package dev.runbooks.activities.secrets;

import java.util.Objects;

/** How the worker logs in to Vault. {@link #toString} never shows a token or a secret id. */
public sealed interface VaultAuth permits VaultAuth.None, VaultAuth.Token, VaultAuth.AppRole {

  /** What to tell an operator to check when Vault refuses the credentials. */
  String credentialsHint(String appRoleMount);

  /** No credentials configured: {@link VaultSettings#validate} refuses it. */
  record None() implements VaultAuth {
    @Override
    public String credentialsHint(String appRoleMount) {
      return VaultSettings.ENV_TOKEN;
    }

    @Override
    public String toString() {
      return "none";
    }
  }

  /** Token auth. */
  record Token(String token) implements VaultAuth {
    public Token {
      Objects.requireNonNull(token, "token");
    }

    @Override
    public String credentialsHint(String appRoleMount) {
      return VaultSettings.ENV_TOKEN;
    }

    @Override
    public String toString() {
      return "token";
    }
  }

  /** AppRole auth: a role id and a secret id exchanged for a token at login. */
  record AppRole(String roleId, String secretId) implements VaultAuth {
    public AppRole {
      Objects.requireNonNull(roleId, "roleId");
    }

    @Override
    public String credentialsHint(String appRoleMount) {
      return VaultSettings.ENV_ROLE_ID
          + " and "
          + VaultSettings.ENV_SECRET_ID
          + " (AppRole at auth/"
          + appRoleMount
          + ")";
    }

    @Override
    public String toString() {
      return "approle";
    }
  }
}
