package dev.vigil.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.vigil.client.ApiClient;
import dev.vigil.client.Text;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vigil overrides list|add|remove}: on-call overrides through the HTTP API (docs/api.md).
 * Exit 0, 1 when the server refuses (unknown team, bad duration, unknown override), 3 when it
 * cannot be reached.
 */
@Command(
    name = "overrides",
    mixinStandardHelpOptions = true,
    description =
        "List, add and remove on-call overrides (a team on call instead of the schedule's).")
public final class OverridesCommand {

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "The overrides not yet expired.")
  int list(@Mixin ClientOptions o) {
    ApiClient.Answer a = o.client().get("/api/v1/overrides");
    if (o.json()) {
      return Output.json(o, a);
    }
    Text.Table t = new Text.Table("ID", "TEAM", "FROM", "UNTIL", "BY", "REASON");
    for (JsonNode v : a.json().path("overrides")) {
      t.row(
          Text.field(v, "id"),
          Text.field(v, "team"),
          Text.field(v, "from"),
          Text.field(v, "until"),
          Text.field(v, "by"),
          Text.field(v, "reason"));
    }
    return Output.table(o, t, "no overrides");
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Put TEAM on call for --duration from now, or from --from until --until.")
  int add(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "TEAM", description = "A team of teams.yaml.") String team,
      @Option(
              names = "--duration",
              paramLabel = "DURATION",
              description = "How long, e.g. 2h (from now, or from --from).")
          String duration,
      @Option(
              names = "--from",
              paramLabel = "INSTANT",
              description = "Start, e.g. 2026-11-29T03:00:00Z (default: now).")
          String from,
      @Option(
              names = "--until",
              paramLabel = "INSTANT",
              description = "End, instead of --duration.")
          String until,
      @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the record.")
          String reason,
      @Option(names = "--by", paramLabel = "NAME", description = "Who adds it (default: $USER).")
          String by) {
    if ((duration == null) == (until == null)) {
      throw new CommandLine.ParameterException(
          o.mixee.commandLine(), "give either --duration or --until (exactly one)");
    }
    ObjectNode body = ApiClient.object().put("team", team).put("by", by != null ? by : o.user());
    if (duration != null) {
      body.put("duration", duration);
    }
    if (from != null) {
      body.put("from", from);
    }
    if (until != null) {
      body.put("until", until);
    }
    if (reason != null) {
      body.put("reason", reason);
    }
    ApiClient.Answer a = o.client().post("/api/v1/overrides", body);
    if (o.json()) {
      return Output.json(o, a);
    }
    JsonNode v = a.json();
    o.out()
        .println(
            "override "
                + Text.field(v, "id")
                + ": "
                + Text.field(v, "team")
                + " on call from "
                + Text.field(v, "from")
                + " until "
                + Text.field(v, "until"));
    o.out().flush();
    return 0;
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove an override; the schedule applies again.")
  int remove(
      @Mixin ClientOptions o,
      @Parameters(paramLabel = "ID", description = "The override's id (a number, see list).")
          String id) {
    o.client().delete("/api/v1/overrides/" + ApiClient.segment(id));
    if (!o.json()) {
      o.out().println("override " + Text.clean(id) + " removed");
      o.out().flush();
    }
    return 0;
  }
}
