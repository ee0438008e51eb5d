package dev.runbooks.activities.secrets;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where Vault's engines are mounted: each is slash-separated names, such as {@code secret} or
 * {@code team/kv}.
 *
 * @param kv the KV version 2 secrets engine ({@code secret})
 * @param transit the transit secrets engine ({@code transit})
 * @param appRole the AppRole auth method ({@code approle})
 */
public record VaultMounts(String kv, String transit, String appRole) {
  static final VaultMounts DEFAULT = new VaultMounts("secret", "transit", "approle");

  private static final Pattern MOUNT =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*");

  public VaultMounts {
    Objects.requireNonNull(kv, "kv");
    Objects.requireNonNull(transit, "transit");
    Objects.requireNonNull(appRole, "appRole");
  }

  VaultMounts withKv(String mount) {
    return new VaultMounts(check(mount, "KV mount"), transit, appRole);
  }

  VaultMounts withTransit(String mount) {
    return new VaultMounts(kv, check(mount, "transit mount"), appRole);
  }

  VaultMounts withAppRole(String mount) {
    return new VaultMounts(kv, transit, check(mount, "AppRole mount"));
  }

  /**
   * @throws IllegalArgumentException when {@code mount} is not slash-separated names
   */
  static String check(String mount, String what) {
    if (mount == null || !MOUNT.matcher(mount).matches()) {
      throw new IllegalArgumentException(
          "\""
              + mount
              + "\" is not a Vault "
              + what
              + "; expected slash-separated names of letters, digits, '.', '_' and '-', such as"
              + " secret or team/kv");
    }
    return mount;
  }
}
