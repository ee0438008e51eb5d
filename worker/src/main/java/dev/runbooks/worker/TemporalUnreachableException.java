package dev.runbooks.worker;

/** Temporal did not answer at the address tried. The CLI exits with code 4. */
public final class TemporalUnreachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String address;

  public TemporalUnreachableException(String address, String namespace, Throwable cause) {
    super(
        "Temporal is unreachable at "
            + address
            + " (namespace "
            + namespace
            + "): "
            + RootCause.message(cause)
            + ". Start a server there (runbook dev starts an embedded one on 127.0.0.1:7233),"
            + " or point --temporal / TEMPORAL_ADDRESS at a running one.",
        cause);
    this.address = address;
  }

  public String address() {
    return address;
  }
}
