package dev.vigil.slack;

/**
 * A command that was understood but is not carried out: not allowed, or the thing it names cannot
 * do it (a run that waits for no approval). The message is shown to the caller as it is, so it must
 * say why in words a person can act on and hold nothing secret.
 */
public class Refusal extends RuntimeException {
  public Refusal(String message) {
    super(message, null, false, false);
  }
}
