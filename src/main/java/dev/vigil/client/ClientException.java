package dev.vigil.client;

/**
 * A client command that failed, with the exit code it ends with: {@link #REFUSED} when the server
 * answered with an error (its message is this one), {@link #UNREACHABLE} when no answer came.
 */
public final class ClientException extends RuntimeException {
  /** The server refused the request or did not find the thing. */
  public static final int REFUSED = 1;

  /** The server could not be reached (connection refused, timed out, reset). */
  public static final int UNREACHABLE = 3;

  private final int exitCode;

  public ClientException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
