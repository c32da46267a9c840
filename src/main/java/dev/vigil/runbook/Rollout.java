package dev.vigil.runbook;

import dev.vigil.config.Pos;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * How a runbook is let loose: its mode, the share of matching incidents that run automatically, and
 * the success rate below which it drops to manual (the guard itself runs in the engine).
 *
 * @param percent 0–100; incidents outside the share are offered (manual) instead
 * @param minSuccessRate 0–1 over the last {@code window} finished runs
 * @param window 1–1000 finished runs
 */
public record Rollout(Mode mode, int percent, double minSuccessRate, int window, Pos pos) {

  public static final int DEFAULT_PERCENT = 100;
  public static final double DEFAULT_MIN_SUCCESS_RATE = 0.0;
  public static final int DEFAULT_WINDOW = 20;

  /** auto runs steps, dry-run records what they would do, manual offers the runbook to a person. */
  public enum Mode {
    AUTO("auto"),
    DRY_RUN("dry-run"),
    MANUAL("manual");

    public static final List<String> NAMES = Arrays.stream(values()).map(Mode::wire).toList();

    private final String wire;

    Mode(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }

    public static Optional<Mode> parse(String s) {
      return Arrays.stream(values()).filter(m -> m.wire.equals(s)).findFirst();
    }
  }

  public static Rollout defaults(Pos pos) {
    return new Rollout(Mode.AUTO, DEFAULT_PERCENT, DEFAULT_MIN_SUCCESS_RATE, DEFAULT_WINDOW, pos);
  }

  /**
   * The mode for one incident: the configured mode when the incident falls in the {@code percent}
   * share, else manual. The share is a stable hash of the incident id, so a canary stays a canary
   * across restarts, replicas and reloads.
   */
  public Mode modeFor(String incidentId) {
    if (mode == Mode.MANUAL || percent >= 100) {
      return mode;
    }
    return bucket(incidentId) < percent ? mode : Mode.MANUAL;
  }

  /** 0–99, the same for the same id on every machine (first four bytes of SHA-256). */
  public static int bucket(String incidentId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(incidentId.getBytes(StandardCharsets.UTF_8));
      long v =
          ((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL);
      return (int) (v % 100);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
