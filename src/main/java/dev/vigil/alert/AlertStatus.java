package dev.vigil.alert;

/** Whether an alert is still firing. Written lower-case on the wire and in the store. */
public enum AlertStatus {
  FIRING,
  RESOLVED;

  public String wire() {
    return name().toLowerCase();
  }

  public static AlertStatus fromWire(String s) {
    return switch (s) {
      case "firing" -> FIRING;
      case "resolved" -> RESOLVED;
      default -> throw new IllegalArgumentException("\"" + s + "\" is not firing or resolved");
    };
  }
}
