package dev.runbooks.activities.config;

import dev.runbooks.workflows.backup.RetentionPolicy;

/**
 * Where backups go and how they are kept: {@code repository}, {@code encryption} and the {@code
 * retention} policies (at the top and per target).
 */
final class BackupSection {

  private final Values values;

  BackupSection(Values values) {
    this.values = values;
  }

  private ConfigException error(String key, String problem, String fix) {
    return values.error(key, problem, fix);
  }

  /**
   * A retention policy: the rules left out are off (0), at least one keeps something, and a policy
   * given replaces the inherited one whole rather than field by field, so what a target keeps can
   * be read in one place.
   */
  RetentionPolicy retention(String key, RawConfig.Retention raw, RetentionPolicy inherited) {
    if (raw == null) {
      return inherited;
    }
    int keepLast = count(key + ".keepLast", raw.keepLast());
    int keepDaily = count(key + ".keepDaily", raw.keepDaily());
    int keepWeekly = count(key + ".keepWeekly", raw.keepWeekly());
    if (keepLast == 0 && keepDaily == 0 && keepWeekly == 0) {
      throw error(
          key,
          "the policy keeps nothing: keepLast, keepDaily and keepWeekly are all 0 or left out,"
              + " so retention would delete every backup but the newest verified one",
          "set at least one of them, for example retention: { keepLast: 7, keepDaily: 14,"
              + " keepWeekly: 8 }; leave retention: out to keep every backup.");
    }
    return new RetentionPolicy(keepLast, keepDaily, keepWeekly);
  }

  private int count(String key, String written) {
    if (written == null) {
      return 0;
    }
    int value;
    try {
      value = Integer.parseInt(written.strip());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 0) {
      throw error(
          key,
          "\"" + written + "\" is not a number of backups",
          "write a whole number, 0 or more (0 turns the rule off).");
    }
    return value;
  }

  RepositorySpec repository(String written) {
    if (written == null) {
      return null;
    }
    String key = "repository";
    RepositorySpec spec = values.spec(key, () -> RepositorySpec.parse(written, values.directory()));
    if (spec != null) {
      return spec;
    }
    String fix =
        written.startsWith("/")
            ? "write file://" + written + " for a local directory."
            : "write file:///DIRECTORY for a local directory, or s3://BUCKET/PREFIX for S3 or an"
                + " S3-compatible store.";
    throw error(
        key,
        "\"" + written + "\" is not a backup repository; expected file://... or s3://...",
        fix);
  }

  EncryptionSpec encryption(String written) {
    if (written == null) {
      return null;
    }
    String key = "encryption";
    EncryptionSpec spec = values.spec(key, () -> EncryptionSpec.parse(written, values.directory()));
    if (spec != null) {
      return spec;
    }
    throw error(
        key,
        "\""
            + written
            + "\" is not an encryption spec; expected local-keyset:PATH or"
            + " vault-transit:NAME",
        "write local-keyset:/var/lib/runbooks/backup-keyset.json (a Tink keyset file, made on"
            + " first use) or vault-transit:NAME (a Vault transit key).");
  }
}
