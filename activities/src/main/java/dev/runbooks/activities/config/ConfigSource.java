package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a worker gets {@code runbooks.yaml} from: the file as it is now. {@link #current()} reads
 * the file, and parses it again only when its digest changed, so an edit is picked up by the next
 * run without a restart. A broken edit throws {@link ConfigException} from {@link #current()} and
 * leaves the last good version where it was: runs that already hold it keep it.
 */
public final class ConfigSource {
  /** Hex digits of the SHA-256 shown to people: enough to tell two edits apart. */
  static final int DIGEST_CHARS = 12;

  private static final Logger log = LoggerFactory.getLogger(ConfigSource.class);

  /**
   * One version of the configuration: what it says and the digest of the bytes it was read from.
   */
  public record Version(RunbooksConfig config, String digest) {
    public Version {
      Objects.requireNonNull(config, "config");
      Objects.requireNonNull(digest, "digest");
    }

    /** {@code /etc/runbooks/runbooks.yaml (digest 1a2b3c4d5e6f)}: how messages name it. */
    public String describe() {
      return describe(config.file(), digest);
    }

    public static String describe(Path file, String digest) {
      return file.toAbsolutePath() + " (digest " + digest + ")";
    }
  }

  private final Path file;
  private final Map<String, String> env;
  private final boolean reloads;
  private volatile Version latest;

  private ConfigSource(Path file, Map<String, String> env, boolean reloads, Version first) {
    this.file = Objects.requireNonNull(file, "file");
    this.env = Map.copyOf(env);
    this.reloads = reloads;
    this.latest = first;
  }

  /**
   * The file {@code config} was loaded from, read again whenever a run asks for it. {@code config}
   * is used while the file still has the bytes it was loaded from.
   */
  public static ConfigSource reloading(RunbooksConfig config, Map<String, String> env) {
    byte[] content = ConfigFile.read(config.file());
    return new ConfigSource(config.file(), env, true, new Version(config, digest(content)));
  }

  /** Always {@code config}, never read again: for tests and one-run embedded workers. */
  public static ConfigSource fixed(RunbooksConfig config) {
    String digest;
    try {
      digest = digest(ConfigFile.read(config.file()));
    } catch (ConfigException e) {
      digest = "not-from-a-file";
    }
    return new ConfigSource(config.file(), Map.of(), false, new Version(config, digest));
  }

  /** Whether {@link #current()} reads the file again. */
  public boolean reloads() {
    return reloads;
  }

  /** The file this source reads. */
  public Path file() {
    return file;
  }

  /** The version last loaded without error; what {@link #current()} returned last. */
  public Version latest() {
    return latest;
  }

  /**
   * The configuration as the file is now.
   *
   * @throws ConfigException when the file no longer loads; the message says a run that started
   *     before the edit keeps its version
   */
  public Version current() {
    if (!reloads) {
      return latest;
    }
    byte[] content = ConfigFile.read(file);
    String digest = digest(content);
    Version last = latest;
    if (last.digest().equals(digest)) {
      return last;
    }
    synchronized (this) {
      if (latest.digest().equals(digest)) {
        return latest;
      }
      Version next = new Version(ConfigLoader.load(file, content, env), digest);
      log.info(
          "configuration {} changed (digest {} -> {}); runs started from now on use it",
          file,
          latest.digest(),
          digest);
      latest = next;
      return next;
    }
  }

  /** The first {@value #DIGEST_CHARS} hex digits of the SHA-256 of {@code content}. */
  public static String digest(byte[] content) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(content);
      return HexFormat.of().formatHex(hash).substring(0, DIGEST_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The digest of {@code file} as it is now, as {@link #current()} computes it. */
  public static String digest(Path file) {
    return digest(ConfigFile.read(file));
  }
}
