package dev.runbooks.activities.backup.repository;

import java.io.IOException;

/**
 * A repository failure that may pass by itself (a 503, a throttled request, a refused or reset
 * connection): the activity retries it.
 */
public final class TransientRepositoryException extends IOException {
  private static final long serialVersionUID = 1L;

  public TransientRepositoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
