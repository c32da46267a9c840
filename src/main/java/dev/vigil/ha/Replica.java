package dev.vigil.ha;

import dev.vigil.config.VigilConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * This process among the replicas that share a store.
 *
 * @param id written into every lease this process takes; unique among the replicas
 * @param leaseTtl how long a lease lasts without renewal (leases are renewed every third of it)
 * @param shared whether other replicas may share the store (PostgreSQL). On SQLite there is one
 *     process by construction, so claims are not needed and everything unfinished is this
 *     process's.
 */
public record Replica(String id, Duration leaseTtl, boolean shared) {

  public static Replica of(VigilConfig config) {
    String id =
        config.ha().replicaId().isEmpty()
            ? host() + "-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3))
            : config.ha().replicaId();
    return new Replica(id, config.ha().leaseTtl(), !config.store().isSqlite());
  }

  /** One process alone on its store (tests of single parts). */
  public static Replica alone() {
    return new Replica("local", Duration.ofSeconds(30), false);
  }

  /**
   * How far back a sweep looks for incidents whose escalation or runbook decision was lost (the
   * process that opened them died between the incident's commit and the decision's). Older
   * incidents are left alone: a runbook or policy added since should not start for them.
   */
  public static final Duration DECISION_LOOKBACK = Duration.ofMinutes(15);

  /**
   * How far before its last sweep's end a process's next runbook sweep starts looking: an incident
   * that another replica committed late (a slow commit, a clock behind ours) is still found.
   */
  public static final Duration DECISION_OVERLAP = Duration.ofMinutes(2);

  /** When a lease taken or renewed at {@code now} runs out. */
  public Instant expiry(Instant now) {
    return now.plus(leaseTtl);
  }

  /**
   * How often leases are renewed and free work is looked for: a third of the lease, so two renewals
   * may fail in a row.
   */
  public Duration renewEvery() {
    return leaseTtl.dividedBy(3);
  }

  /**
   * How old an incident must be before a sweep may decide it as "decision lost": with replicas, one
   * lease period, so the replica that opened it (and is deciding it now) is not raced; alone, none.
   */
  public Duration decisionMargin() {
    return shared ? leaseTtl : Duration.ZERO;
  }

  private static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "vigil";
    }
  }
}
