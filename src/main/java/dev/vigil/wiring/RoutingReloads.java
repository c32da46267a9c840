package dev.vigil.wiring;

import dev.vigil.config.ConfigException;
import dev.vigil.config.Problems;
import dev.vigil.config.VigilConfig;
import dev.vigil.escalation.HandoffDigester;
import dev.vigil.escalation.LiveRouting;
import dev.vigil.escalation.Routing;
import dev.vigil.heartbeat.HeartbeatWatch;
import dev.vigil.http.ReloadApi;
import dev.vigil.notify.integrations.Integrations;
import dev.vigil.runbook.RunbookRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloading the runbooks, teams.yaml and classification.yaml (SIGHUP, {@code POST /-/reload}, or an
 * edit seen by a directory watch), and applying the routing in force to the parts that derived
 * something from it at start.
 */
public final class RoutingReloads {
  private static final Logger log = LoggerFactory.getLogger(RoutingReloads.class);

  private final VigilConfig config;
  private final Vertx vertx;
  private final RunbookRegistry runbooks;
  private final LiveRouting routing;
  private final HandoffDigester digester;
  private final HeartbeatWatch heartbeats;
  private final Integrations integrations;

  public RoutingReloads(
      VigilConfig config,
      Vertx vertx,
      RunbookRegistry runbooks,
      LiveRouting routing,
      HandoffDigester digester,
      HeartbeatWatch heartbeats,
      Integrations integrations) {
    this.config = config;
    this.vertx = vertx;
    this.runbooks = runbooks;
    this.routing = routing;
    this.digester = digester;
    this.heartbeats = heartbeats;
    this.integrations = integrations;
  }

  /** teams.yaml and classification.yaml; any error stops the start with every problem listed. */
  public static Routing readRouting(VigilConfig config) throws ConfigException {
    Problems problems = new Problems();
    Optional<Routing> routing = Routing.read(config, problems);
    problems.throwIfErrors();
    return routing.orElseThrow();
  }

  /**
   * Watches runbooks.dir for edits; without the directory the daemon runs with no runbooks
   * (blocking: on a worker).
   */
  public static void watchRunbooks(VigilConfig config, RunbookRegistry runbooks) {
    try {
      runbooks.watch();
    } catch (IOException e) {
      log.atWarn()
          .addKeyValue("dir", config.runbooks().dir().toString())
          .log(
              "runbooks: not watching the runbook directory ("
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()
                  + "); edits need SIGHUP or POST /-/reload");
    }
  }

  /** Edits to teams.yaml or classification.yaml reload them on their own, like runbooks. */
  public Future<Void> watchRouting() {
    return vertx.executeBlocking(
        () -> {
          watchRoutingNow();
          return null;
        });
  }

  private void watchRoutingNow() {
    try {
      routing.watch(
          RunbookRegistry.DEFAULT_DEBOUNCE, () -> vertx.runOnContext(v -> applyRouting()));
    } catch (IOException e) {
      log.atWarn()
          .log(
              "routing: not watching the folders of teams.yaml and classification.yaml ("
                  + e.getClass().getSimpleName()
                  + ": "
                  + e.getMessage()
                  + "); edits need SIGHUP or POST /-/reload");
    }
  }

  /**
   * Reloads the runbooks, then teams.yaml and classification.yaml; {@code cause} is logged. A
   * rejected runbook file keeps its last good version; an error in either routing file keeps the
   * last good teams and classification (see {@link LiveRouting#reload}). The future fails only if a
   * reload could not run at all; rejected files are in the report.
   */
  public Future<ReloadApi.Report> reload(String cause) {
    return runbooks
        .reload(cause)
        .compose(
            rb ->
                vertx
                    .executeBlocking(() -> routing.reload(cause))
                    .map(
                        rt -> {
                          if (rt.ok()) {
                            applyRouting();
                          }
                          return new ReloadApi.Report(
                              rb.catalog().runbooks().size(),
                              rb.errors(),
                              rt.routing().teams().schedule().teams().size(),
                              rt.routing().classification().rules().size(),
                              rt.errors());
                        }));
  }

  /**
   * What the parts derived from the routing at start, derived again from the routing in force: the
   * digest alarm (the next window start) and the heartbeats watched. The escalator, the classifier,
   * the resolver and the integrations read the routing at each use and need nothing. Idempotent,
   * and it reads the routing in force, so two reloads racing end with the newer one applied.
   */
  public void applyRouting() {
    Routing now = routing.get();
    digester.restart(now.teams().handoffDigest());
    heartbeats
        .watch(now.classification().heartbeats())
        .onFailure(
            e ->
                log.atError()
                    .setCause(e)
                    .log("heartbeat: watching the reloaded heartbeats failed: " + e.getMessage()));
    if (!integrations.pagerDutyOn()
        && now.teams().schedule().teams().stream()
            .anyMatch(t -> !t.channels().pagerdutyRoutingKey().isEmpty())) {
      log.atWarn()
          .log(
              "pagerduty: teams.yaml now has a pagerduty.routingKey but PagerDuty delivery was off at start:"
                  + " restart Vigil to turn it on; until then those pages go to Slack or the log");
    }
    if (!integrations.webhookOn()
        && now.teams().schedule().teams().stream()
            .anyMatch(t -> !t.channels().webhook().isEmpty())) {
      log.atWarn()
          .log(
              "webhook: teams.yaml now has a webhook but webhook delivery was off at start:"
                  + " restart Vigil to turn it on; until then those pages go to Slack or the log");
    }
  }
}
