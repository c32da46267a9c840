package dev.vigil.wiring;

import dev.vigil.notify.integrations.Integrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** How the parts that enqueue notifications wake their delivery. */
public final class Delivery {
  private static final Logger log = LoggerFactory.getLogger(Delivery.class);

  private Delivery() {}

  /**
   * Delivers what is due in the outbox now, without waiting: called after each commit that enqueued
   * intents. A failure is logged; the outbox sweep tries again.
   */
  public static Runnable wakeUp(Integrations integrations) {
    return () ->
        integrations
            .drain()
            .onFailure(
                e ->
                    log.atError()
                        .setCause(e)
                        .log("notify: delivering the outbox failed: " + e.getMessage()));
  }
}
