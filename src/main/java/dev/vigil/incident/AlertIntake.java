package dev.vigil.incident;

import dev.vigil.alert.Alert;
import java.util.Map;

/**
 * An alert as it arrives, with the group it belongs to.
 *
 * @param groupKey the incident key: Alertmanager's groupKey, or the fingerprint for alerts posted
 *     directly
 * @param groupLabels labels common to the group (Alertmanager's commonLabels), used when the group
 *     opens an incident
 * @param startsAtImplicit true when the sender gave no startsAt: the alert then continues the
 *     occurrence that is firing now, if any, instead of starting a new one
 */
public record AlertIntake(
    Alert alert, String groupKey, Map<String, String> groupLabels, boolean startsAtImplicit) {}
