package dev.runbooks.activities.backup.repository;

import java.io.FilterInputStream;
import java.io.IOException;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/** An object download that translates SDK failures and does not drain the rest on close. */
final class S3Download extends FilterInputStream {
  private final ResponseInputStream<GetObjectResponse> response;
  private final String key;
  private final S3Errors errors;
  private boolean finished;

  S3Download(ResponseInputStream<GetObjectResponse> response, String key, S3Errors errors) {
    super(response);
    this.response = response;
    this.key = key;
    this.errors = errors;
  }

  @Override
  public int read() throws IOException {
    try {
      int b = in.read();
      finished = b < 0;
      return b;
    } catch (SdkException e) {
      throw errors.failure(e, "reading " + key, key);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    try {
      int n = in.read(b, off, len);
      finished = n < 0;
      return n;
    } catch (SdkException e) {
      throw errors.failure(e, "reading " + key, key);
    }
  }

  /** The object's size as the response announced it. */
  long contentLength() {
    return response.response().contentLength();
  }

  @Override
  public void close() throws IOException {
    if (!finished) {
      // Otherwise the HTTP client would read the rest of a possibly huge object to reuse the
      // connection.
      response.abort();
    }
    response.close();
  }
}
