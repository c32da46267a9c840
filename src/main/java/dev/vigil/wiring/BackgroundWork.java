package dev.vigil.wiring;

import dev.vigil.escalation.Escalator;
import dev.vigil.ha.Replica;
import dev.vigil.ha.Sweep;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.oncall.Overrides;
import dev.vigil.runbook.engine.Engine;
import dev.vigil.store.SqlOutbox;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every background sweep of a daemon, declared in one list: what each does, on which replicas and
 * how often. {@link dev.vigil.ha.Sweeps} runs them, and renews the leader lease itself.
 */
public final class BackgroundWork {
  /** How often the outbox and what other replicas wrote are looked at again. */
  static final Duration HOUSEKEEPING = Duration.ofSeconds(5);

  private BackgroundWork() {}

  /**
   * The sweeps. Every {@link #HOUSEKEEPING} period, on every replica: deliver what is due in the
   * outbox (retries, and intents another replica wrote), read again the intents runbook steps wait
   * on (another replica may have delivered them), refresh the overrides (added elsewhere) and the
   * outbox depth gauge. Every lease period ({@link Replica#renewEvery()}): renew this replica's
   * claims on the outbox and its run leases (which also resumes runs stalled on a store failure);
   * the leader decides the escalations lost with the process that opened their incidents. With
   * replicas only: the leader also decides lost runbook decisions (alone, the start made them, and
   * a runbook added since must not start for older incidents), and every replica takes over the
   * runs and adopts the ack timers of replicas that died.
   *
   * @param metrics where the outbox depth is shown ({@code vigil_outbox_pending})
   */
  public static List<Sweep> sweeps(
      Replica replica,
      Clock clock,
      Integrations integrations,
      Engine engine,
      Escalator escalator,
      Overrides overrides,
      SqlOutbox outbox,
      MeterRegistry metrics) {
    AtomicLong outboxPending = new AtomicLong();
    Gauge.builder("vigil_outbox_pending", outboxPending, AtomicLong::get)
        .description("Notifications waiting in the outbox (refreshed every 5 s)")
        .register(metrics);
    Duration lease = replica.renewEvery();
    List<Sweep> sweeps = new ArrayList<>();
    sweeps.add(Sweep.everyReplica("outbox-delivery", HOUSEKEEPING, integrations::drain));
    sweeps.add(
        Sweep.everyReplica(
            "delivery-watch",
            HOUSEKEEPING,
            () -> {
              integrations.watch().poll();
              return Future.succeededFuture();
            }));
    sweeps.add(Sweep.everyReplica("overrides", HOUSEKEEPING, overrides::refresh));
    sweeps.add(
        Sweep.everyReplica(
            "outbox-depth", HOUSEKEEPING, () -> outbox.pending().onSuccess(outboxPending::set)));
    sweeps.add(Sweep.everyReplica("outbox-claims", lease, integrations::renewClaims));
    sweeps.add(Sweep.everyReplica("run-leases", lease, engine::renewLeases));
    // decisions lost to a crash or a store failure: incidents opened more than a lease ago with no
    // escalation or runbook decision
    sweeps.add(
        Sweep.leader(
            "lost-escalations",
            lease,
            () -> escalator.decideLost(clock.instant().minus(replica.leaseTtl()))));
    if (replica.shared()) {
      sweeps.add(
          Sweep.leader(
              "lost-runbook-decisions",
              lease,
              () -> engine.decideLost(clock.instant().minus(replica.leaseTtl()))));
      sweeps.add(Sweep.everyReplica("run-takeover", lease, engine::takeOver));
      sweeps.add(Sweep.everyReplica("ack-timer-adoption", lease, escalator::adopt));
    }
    return sweeps;
  }
}
