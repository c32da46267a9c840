package dev.vigil.web;

/** Input that can never be accepted as sent; the message names the field path and what is wrong. */
public final class BadRequest extends RuntimeException {
  public BadRequest(String message) {
    super(message, null, false, false);
  }
}
