package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where backups are kept, as {@code repository:} names it: a local directory or an S3 bucket. The
 * repository adapters switch on the kind; the text form ({@link #uri()}) is what runs record.
 */
public sealed interface RepositorySpec permits RepositorySpec.Directory, RepositorySpec.S3 {

  /** The spec in its canonical text form: {@code file:///dir} or {@code s3://bucket/prefix}. */
  String uri();

  /** A directory on this machine (or a mount). */
  record Directory(Path path) implements RepositorySpec {
    public Directory {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String uri() {
      return "file://" + path;
    }
  }

  /**
   * A bucket of S3 or an S3-compatible store.
   *
   * @param prefix the key prefix inside the bucket, without leading or trailing {@code /}; may be
   *     empty
   * @param options the URI's query ({@code region=...&endpoint=...}) as written, read by the S3
   *     adapter together with the AWS environment; empty when there is none
   */
  record S3(String bucket, String prefix, String options) implements RepositorySpec {
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    public S3 {
      Objects.requireNonNull(bucket, "bucket");
      Objects.requireNonNull(prefix, "prefix");
      Objects.requireNonNull(options, "options");
    }

    @Override
    public String uri() {
      return "s3://"
          + bucket
          + (prefix.isEmpty() ? "" : "/" + prefix)
          + (options.isEmpty() ? "" : "?" + options);
    }

    private static S3 parse(String location) {
      int question = location.indexOf('?');
      String options = question < 0 ? "" : location.substring(question + 1);
      String where = question < 0 ? location : location.substring(0, question);
      int slash = where.indexOf('/');
      String bucket = slash < 0 ? where : where.substring(0, slash);
      String prefix = slash < 0 ? "" : where.substring(slash + 1);
      prefix = prefix.replaceAll("^/+|/+$", "");
      if (bucket.contains("@")) {
        throw new InvalidSpecException(
            "the bucket name holds credentials; they come from the AWS default chain, never from"
                + " the repository",
            "write s3://BUCKET/PREFIX and set the credentials in the environment.");
      }
      if (!BUCKET.matcher(bucket).matches()) {
        throw new InvalidSpecException(
            "\""
                + bucket
                + "\" is not an S3 bucket name; expected 3-63 lowercase letters, digits, '.' and"
                + " '-'",
            "write s3://BUCKET/PREFIX with the bucket's name, such as s3://backups/prod.");
      }
      return new S3(bucket, prefix, options);
    }
  }

  /**
   * Reads {@code file://PATH} (relative paths against {@code base}, left as written when it is
   * null) or {@code s3://BUCKET[/PREFIX][?OPTIONS]}.
   *
   * @return null when the text is of neither kind, for the caller to say what it expected
   * @throws InvalidSpecException when it is of one kind but wrong within it
   */
  static RepositorySpec parse(String written, Path base) {
    if (written == null) {
      return null;
    }
    String location = SpecText.afterSlashes(SpecText.rest(written));
    if (location == null) {
      return null;
    }
    switch (SpecText.scheme(written)) {
      case "file":
        return new Directory(SpecText.path(location, base));
      case "s3":
        return S3.parse(location);
      default:
        return null;
    }
  }
}
