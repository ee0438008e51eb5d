package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The key backups are encrypted with, as {@code encryption:} names it: a local Tink keyset file or
 * a Vault transit key. The key adapters switch on the kind; the text form ({@link #uri()}) is what
 * plans and messages show.
 */
public sealed interface EncryptionSpec
    permits EncryptionSpec.LocalKeyset, EncryptionSpec.VaultTransit {

  /**
   * The spec in its canonical text form: {@code local-keyset:/path} or {@code vault-transit:NAME}.
   */
  String uri();

  /** A Tink keyset file, made on first use. */
  record LocalKeyset(Path file) implements EncryptionSpec {
    public LocalKeyset {
      Objects.requireNonNull(file, "file");
    }

    @Override
    public String uri() {
      return "local-keyset:" + file;
    }
  }

  /** A key of Vault's transit engine; Vault's address and credentials come from the environment. */
  record VaultTransit(String key) implements EncryptionSpec {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    public VaultTransit {
      Objects.requireNonNull(key, "key");
    }

    @Override
    public String uri() {
      return "vault-transit:" + key;
    }

    private static VaultTransit parse(String name) {
      if (!NAME.matcher(name).matches()) {
        throw new InvalidSpecException(
            "\"" + name + "\" is not a Vault transit key name",
            "write vault-transit:NAME with the transit key's name, such as"
                + " vault-transit:backups.");
      }
      return new VaultTransit(name);
    }
  }

  /**
   * Reads {@code local-keyset:PATH} (or {@code local-keyset:file://PATH}; relative paths against
   * {@code base}, left as written when it is null) or {@code vault-transit:NAME}.
   *
   * @return null when the text is of neither kind, for the caller to say what it expected
   * @throws InvalidSpecException when it is of one kind but wrong within it
   */
  static EncryptionSpec parse(String written, Path base) {
    String rest = written == null ? null : SpecText.rest(written);
    if (rest == null) {
      return null;
    }
    switch (SpecText.scheme(written)) {
      case "local-keyset":
        String location = SpecText.afterSlashes(SpecText.rest(rest));
        boolean fileUri = SpecText.scheme(rest).equals("file") && location != null;
        return new LocalKeyset(SpecText.path(fileUri ? location : rest, base));
      case "vault-transit":
        return VaultTransit.parse(rest);
      default:
        return null;
    }
  }
}
