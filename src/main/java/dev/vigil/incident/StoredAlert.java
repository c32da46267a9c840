package dev.vigil.incident;

import dev.vigil.alert.Alert;
import java.time.Instant;

/** An alert as stored, with when Vigil first received it. */
public record StoredAlert(Alert alert, IncidentId incident, Instant receivedAt) {}
