package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLPeerUnverifiedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What an S3 failure means to a backup: permanent ones (no bucket, denied, no credentials, an
 * untrusted certificate, a refused request) thrown as {@link PermanentBackupException}, transient
 * ones returned as {@link TransientRepositoryException} for the caller to throw.
 */
final class S3Errors {
  private final String bucket;
  private final String repository;

  /**
   * @param repository how the repository describes itself, for messages
   */
  S3Errors(String bucket, String repository) {
    this.bucket = bucket;
    this.repository = repository;
  }

  PermanentBackupException noSuchBucket(Exception cause) {
    return new PermanentBackupException(
        FailureType.NOT_FOUND,
        "the backup bucket "
            + bucket
            + " does not exist ("
            + repository
            + "): create it, or set repository: in the configuration to an existing bucket",
        cause);
  }

  /**
   * Sorts an SDK failure: a permanent one is thrown as a {@link PermanentBackupException} (or
   * {@link ObjectNotFoundException}), a transient one returned as a {@link
   * TransientRepositoryException} for the caller to throw.
   */
  IOException failure(SdkException e, String doing, String key) {
    if (e instanceof S3Exception s3e) {
      int status = s3e.statusCode();
      String code = s3e.awsErrorDetails() == null ? null : s3e.awsErrorDetails().errorCode();
      String detail = code == null ? "HTTP " + status : code + " (HTTP " + status + ")";
      if ("NoSuchBucket".equals(code)) {
        throw noSuchBucket(e);
      }
      if ("NoSuchKey".equals(code)) {
        throw new ObjectNotFoundException(key, repository);
      }
      if ("NoSuchUpload".equals(code)) {
        return new TransientRepositoryException(
            doing
                + " failed: the multipart upload was aborted meanwhile (by a cleanup of"
                + " incomplete uploads?); the backup will be retried",
            e);
      }
      if (status == 403 || "AccessDenied".equals(code)) {
        throw new PermanentBackupException(
            FailureType.PERMISSION_DENIED,
            doing
                + " in "
                + repository
                + " was denied: "
                + detail
                + ". Grant the credentials the worker gets from the AWS default chain"
                + " (AWS_PROFILE, AWS_ACCESS_KEY_ID, an instance or pod role) s3:GetObject,"
                + " s3:PutObject, s3:ListBucket, s3:DeleteObject, s3:ListBucketMultipartUploads and"
                + " s3:AbortMultipartUpload on the bucket (and kms:GenerateDataKey, kms:Decrypt for"
                + " sse=aws:kms)",
            e);
      }
      if (status >= 500 || status == 429 || s3e.isThrottlingException()) {
        return new TransientRepositoryException(
            doing + " in " + repository + " failed with " + detail + "; it will be retried", e);
      }
      String message =
          s3e.awsErrorDetails() == null ? "" : ": " + s3e.awsErrorDetails().errorMessage();
      throw new PermanentBackupException(
          status == 404 ? FailureType.NOT_FOUND : FailureType.BAD_INPUT,
          doing + " in " + repository + " was refused with " + detail + message,
          e);
    }
    String message = String.valueOf(e.getMessage());
    if (message.contains("Unable to load credentials")) {
      throw new PermanentBackupException(
          FailureType.AUTHENTICATION,
          doing
              + " in "
              + repository
              + " needs AWS credentials and the default chain found none: set AWS_PROFILE, or"
              + " AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give the worker an instance or pod"
              + " role",
          e);
    }
    if (untrustedCertificate(e)) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          doing
              + " in "
              + repository
              + " failed: the endpoint's TLS certificate is not trusted ("
              + message
              + "): add its CA to the JVM's trust store, or fix the endpoint",
          e);
    }
    // Refused or reset connections, timeouts, DNS hiccups: the SDK has retried already; the
    // activity retries again with its own backoff.
    return new TransientRepositoryException(
        doing + " in " + repository + " failed: " + message + "; it will be retried", e);
  }

  private static boolean untrustedCertificate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof CertificateException
          || t instanceof CertPathBuilderException
          || t instanceof SSLPeerUnverifiedException) {
        return true;
      }
    }
    return false;
  }
}
