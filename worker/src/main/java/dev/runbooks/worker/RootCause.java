package dev.runbooks.worker;

/** The innermost cause's message, which is what an operator can act on. */
final class RootCause {
  private RootCause() {}

  static String message(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
