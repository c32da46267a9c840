package dev.vigil.escalation;

import dev.vigil.config.Fields;
import dev.vigil.config.Interpolator;
import dev.vigil.config.Problems;
import dev.vigil.config.Secret;
import dev.vigil.config.Suggest;
import dev.vigil.config.Yaml;
import dev.vigil.config.YamlNode;
import dev.vigil.incident.Severity;
import dev.vigil.oncall.Channels;
import dev.vigil.oncall.Overlap;
import dev.vigil.oncall.Schedule;
import dev.vigil.oncall.Team;
import dev.vigil.oncall.TeamId;
import dev.vigil.oncall.Window;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads config/teams.yaml into a {@link TeamsFile}, reporting every problem as {@code
 * file:line:col: path: message}: bad times, unknown zones and days, duplicate or unknown team ids
 * (in {@code fallbackTeam} and in escalation levels), unknown severities and policies.
 *
 * <p>Blocking (file I/O): call from {@code main} or a worker, never on an event loop.
 */
public final class TeamsReader {
  /**
   * Used for a level that gives no {@code ackTimeout} (it matters only for the last level's
   * repeats).
   */
  public static final Duration DEFAULT_ACK_TIMEOUT = Duration.ofMinutes(5);

  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final Pattern TEAM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
  private static final Pattern USER_GROUP = Pattern.compile("S[A-Z0-9]{2,}");
  private static final Map<String, DayOfWeek> DAYS = new LinkedHashMap<>();

  static {
    for (DayOfWeek d : DayOfWeek.values()) {
      DAYS.put(d.name().substring(0, 3).toLowerCase(), d);
    }
  }

  private TeamsReader() {}

  /**
   * Reads the file; empty when it could not be read at all. Check {@code problems} for errors
   * either way.
   */
  public static Optional<TeamsFile> read(
      Path file, String label, Interpolator interpolator, Problems problems) {
    return Yaml.load(file, label, problems, interpolator).map(TeamsReader::parse);
  }

  /** Reads a composed teams.yaml; every problem goes to the node's {@link Problems}. */
  public static TeamsFile parse(YamlNode root) {
    Fields f = root.fields("teams", "overlap", "fallbackTeam", "handoff", "escalation");
    List<Team> teams = new ArrayList<>();
    Map<String, YamlNode> seen = new LinkedHashMap<>();
    for (YamlNode t : f.items("teams")) {
      team(t, seen).ifPresent(teams::add);
    }
    if (!f.has("teams")) {
      root.error("missing required key \"teams\"");
    } else if (teams.isEmpty() && seen.isEmpty()) {
      f.get("teams").orElseThrow().error("list at least one team");
    }
    Set<String> ids = seen.keySet();
    Overlap overlap =
        Overlap.valueOf(f.oneOf("overlap", "first", List.of("first", "all")).toUpperCase());
    Optional<TeamId> fallback = f.get("fallbackTeam").flatMap(n -> teamRef(n, n.string(), ids));
    boolean digest = f.fields("handoff", "digest").map(h -> h.bool("digest", true)).orElse(true);
    Schedule schedule = new Schedule(teams, overlap, fallback);
    EscalationRules escalation =
        f.get("escalation").map(n -> escalation(n, ids)).orElseGet(TeamsReader::noEscalation);
    return new TeamsFile(schedule, digest, escalation);
  }

  private static EscalationRules noEscalation() {
    return new EscalationRules(Map.of(), Map.of(), 0, Set.of(Severity.CRITICAL));
  }

  private static Optional<Team> team(YamlNode node, Map<String, YamlNode> seen) {
    Fields f =
        node.fields(
            "id", "name", "region", "timezone", "coverage", "slack", "pagerduty", "webhook");
    Optional<String> id = f.required("id").flatMap(YamlNode::string);
    if (id.isPresent() && !TEAM_ID.matcher(id.get()).matches()) {
      f.get("id")
          .orElseThrow()
          .error("team id \"" + id.get() + "\" must be letters, digits, '_', '.' or '-'");
    }
    if (id.isPresent()) {
      YamlNode first = seen.putIfAbsent(id.get(), f.get("id").orElseThrow());
      if (first != null) {
        f.get("id")
            .orElseThrow()
            .error(
                "duplicate team id \""
                    + id.get()
                    + "\" (first at line "
                    + first.pos().line()
                    + ")");
      }
    }
    ZoneId timezone = f.get("timezone").flatMap(TeamsReader::zone).orElse(ZoneOffset.UTC);
    List<Window> coverage = new ArrayList<>();
    for (YamlNode w : f.items("coverage")) {
      window(w).ifPresent(coverage::add);
    }
    Optional<Fields> slackFields = f.fields("slack", "channel", "userGroup");
    String slack = slackFields.map(s -> s.string("channel", "")).orElse("");
    String group = slackFields.map(s -> s.string("userGroup", "")).orElse("");
    if (!group.isEmpty() && !USER_GROUP.matcher(group).matches()) {
      slackFields
          .flatMap(s -> s.get("userGroup"))
          .orElseThrow()
          .error(
              "\""
                  + group
                  + "\" is not a Slack user group id (they look like S0123ABCD; find it in the group's profile)");
    }
    String pd = f.fields("pagerduty", "routingKey").map(p -> p.string("routingKey", "")).orElse("");
    Channels.Webhook webhook =
        f.fields("webhook", "url", "secret")
            .map(TeamsReader::webhook)
            .orElse(Channels.Webhook.NONE);
    return id.map(
        i ->
            new Team(
                new TeamId(i),
                f.string("name", i),
                f.string("region", ""),
                timezone,
                coverage,
                new Channels(slack, new Secret(pd), group, webhook)));
  }

  /** Webhook secrets shorter than this are refused: an HMAC key that short can be guessed. */
  static final int WEBHOOK_SECRET_MIN = 16;

  /**
   * {@code webhook: { url, secret }}: an absolute http(s) URL with a host, no user info, and a
   * secret of at least {@value #WEBHOOK_SECRET_MIN} characters. An empty url (an unset {@code
   * ${env:HOOK_URL:-}}) means no webhook; a url without a secret is an error, as every request is
   * signed.
   */
  private static Channels.Webhook webhook(Fields w) {
    String url = w.string("url", "");
    int before = w.node().problems().errors().size();
    String secret = w.string("secret", "");
    boolean secretReported =
        w.node().problems().errors().size() > before; // a variable or file it names is missing
    if (url.isEmpty()) {
      if (!w.has("url")) {
        w.node().error("missing required key \"url\"");
      }
      return Channels.Webhook.NONE;
    }
    YamlNode urlNode = w.get("url").orElseThrow();
    boolean ok = true;
    try {
      URI u = new URI(url);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase();
      if (!scheme.equals("http") && !scheme.equals("https")) {
        urlNode.error("\"" + url + "\" is not an http:// or https:// URL");
        ok = false;
      } else if (u.getHost() == null || u.getHost().isEmpty()) {
        urlNode.error("\"" + url + "\" has no host");
        ok = false;
      } else if (u.getRawUserInfo() != null) {
        urlNode.error(
            "the webhook URL must not carry a user or password; Vigil signs each request with webhook.secret instead");
        ok = false;
      } else if (u.getRawFragment() != null) {
        urlNode.error("\"" + url + "\" has a fragment (#...), which is never sent; remove it");
        ok = false;
      }
    } catch (URISyntaxException e) {
      urlNode.error("\"" + url + "\" is not a URL: " + e.getReason() + " at index " + e.getIndex());
      ok = false;
    }
    if (!w.has("secret")) {
      w.node()
          .error(
              "missing required key \"secret\": every webhook request is signed with it (write \"${env:NAME}\")");
      ok = false;
    } else if (secretReported) {
      ok = false;
    } else if (secret.length() < WEBHOOK_SECRET_MIN) {
      // never print the value: say only how long it is
      w.get("secret")
          .orElseThrow()
          .error(
              "the webhook secret is "
                  + secret.length()
                  + " characters long; use at least "
                  + WEBHOOK_SECRET_MIN
                  + " (e.g. openssl rand -hex 32), from the environment or a file (\"${env:NAME}\")");
      ok = false;
    }
    return ok ? new Channels.Webhook(url, new Secret(secret)) : Channels.Webhook.NONE;
  }

  private static Optional<Window> window(YamlNode node) {
    Fields f = node.fields("from", "to", "days", "zone");
    Optional<LocalTime> from = f.required("from").flatMap(n -> time(n, false));
    Optional<LocalTime> to = f.required("to").flatMap(n -> time(n, true));
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    if (f.has("days")) {
      for (YamlNode d : f.items("days")) {
        d.oneOf(List.copyOf(DAYS.keySet())).ifPresent(s -> days.add(DAYS.get(s)));
      }
      if (days.isEmpty()
          && f.get("days").orElseThrow().isList()
          && f.get("days").orElseThrow().items().isEmpty()) {
        f.get("days")
            .orElseThrow()
            .error(
                "an empty days list means the window never starts; leave days out for every day");
      }
    }
    Optional<ZoneId> zone =
        f.has("zone") ? f.get("zone").flatMap(TeamsReader::zone) : Optional.of(ZoneOffset.UTC);
    if (from.isEmpty() || to.isEmpty() || zone.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Window(from.get(), to.get(), days, zone.get(), node.pos()));
  }

  /** {@code HH:MM}, 24-hour; {@code 24:00} is allowed as an end (midnight). */
  private static Optional<LocalTime> time(YamlNode node, boolean isEnd) {
    return node.string()
        .flatMap(
            s -> {
              if (isEnd && s.equals("24:00")) {
                return Optional.of(LocalTime.MIDNIGHT);
              }
              if (!TIME.matcher(s).matches()) {
                node.error(
                    "\""
                        + s
                        + "\" is not a time of day: write HH:MM in 24-hour time, from 00:00 to 23:59"
                        + (isEnd ? " (or 24:00)" : "")
                        + ", quoted (\"05:00\")");
                return Optional.empty();
              }
              return Optional.of(LocalTime.parse(s));
            });
  }

  private static Optional<ZoneId> zone(YamlNode node) {
    return node.string()
        .flatMap(
            s -> {
              if (s.equals("UTC")) {
                return Optional.of(ZoneOffset.UTC);
              }
              try {
                if (!ZoneId.getAvailableZoneIds().contains(s)) {
                  throw new DateTimeException(s);
                }
                return Optional.of(ZoneId.of(s));
              } catch (DateTimeException e) {
                String hint =
                    Suggest.nearest(s, ZoneId.getAvailableZoneIds())
                        .map(n -> " (did you mean \"" + n + "\"?)")
                        .orElse("");
                node.error(
                    "unknown time zone \""
                        + s
                        + "\""
                        + hint
                        + "; use an IANA name such as Europe/Berlin, or UTC");
                return Optional.empty();
              }
            });
  }

  private static Optional<TeamId> teamRef(YamlNode node, Optional<String> value, Set<String> ids) {
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String v = value.get();
    if (!ids.contains(v)) {
      String hint = Suggest.nearest(v, ids).map(n -> " (did you mean \"" + n + "\"?)").orElse("");
      node.error("unknown team \"" + v + "\"" + hint + "; teams are " + String.join(", ", ids));
      return Optional.empty();
    }
    return Optional.of(new TeamId(v));
  }

  private static EscalationRules escalation(YamlNode node, Set<String> ids) {
    Fields f = node.fields("policies", "bySeverity", "repeat", "pageDuringRunbook");
    Map<String, Policy> policies = new LinkedHashMap<>();
    Set<String> declared = new LinkedHashSet<>();
    f.get("policies")
        .ifPresent(
            p -> {
              for (Map.Entry<String, YamlNode> e : p.entries().entrySet()) {
                declared.add(e.getKey());
                List<Level> levels = new ArrayList<>();
                for (YamlNode l : e.getValue().items()) {
                  level(l, ids).ifPresent(levels::add);
                }
                if (levels.isEmpty()) {
                  if (e.getValue().items().isEmpty()) {
                    e.getValue().error("a policy needs at least one level");
                  }
                  continue;
                }
                policies.put(e.getKey(), new Policy(e.getKey(), levels));
              }
            });
    Map<Severity, Optional<String>> bySeverity = new EnumMap<>(Severity.class);
    f.fields("bySeverity", Severity.NAMES.toArray(String[]::new))
        .ifPresent(
            b -> {
              for (Severity s : Severity.values()) {
                b.get(s.wire())
                    .ifPresent(
                        n ->
                            n.string()
                                .ifPresent(
                                    name -> {
                                      if (name.equals("none")) {
                                        bySeverity.put(s, Optional.empty());
                                      } else if (declared.contains(name)) {
                                        bySeverity.put(s, Optional.of(name));
                                      } else {
                                        String hint =
                                            Suggest.nearest(name, declared)
                                                .map(x -> " (did you mean \"" + x + "\"?)")
                                                .orElse("");
                                        n.error(
                                            "unknown policy \""
                                                + name
                                                + "\""
                                                + hint
                                                + "; policies are "
                                                + String.join(", ", declared)
                                                + ", or none to record without paging");
                                      }
                                    }));
              }
            });
    if (!declared.isEmpty() && !declared.contains("default")) {
      List<String> unpaged =
          Severity.NAMES.stream()
              .filter(n -> !bySeverity.containsKey(Severity.parse(n).orElseThrow()))
              .toList();
      if (!unpaged.isEmpty()) {
        node.warning(
            "severities "
                + String.join(", ", unpaged)
                + " are not in bySeverity and there is no policy named default:"
                + " their incidents are recorded only (write e.g. info: none to say so)");
      }
    }
    int repeat = (int) f.integer("repeat", 0, 0, 100);
    Set<Severity> pageDuringRunbook = new LinkedHashSet<>();
    if (f.has("pageDuringRunbook")) {
      for (YamlNode s : f.items("pageDuringRunbook")) {
        s.oneOf(Severity.NAMES).flatMap(Severity::parse).ifPresent(pageDuringRunbook::add);
      }
    } else {
      pageDuringRunbook.add(Severity.CRITICAL);
    }
    return new EscalationRules(policies, bySeverity, repeat, pageDuringRunbook);
  }

  private static Optional<Level> level(YamlNode node, Set<String> ids) {
    Fields f = node.fields("notify", "ackTimeout");
    Duration ackTimeout = f.duration("ackTimeout", DEFAULT_ACK_TIMEOUT);
    if (f.has("ackTimeout") && ackTimeout.isZero()) {
      f.get("ackTimeout").orElseThrow().error("ackTimeout must be longer than 0s");
    }
    Optional<YamlNode> notifyNode = f.required("notify");
    Optional<Target> target =
        notifyNode.flatMap(
            n ->
                n.string()
                    .flatMap(
                        s -> {
                          try {
                            Target t = Target.parse(s);
                            if (t instanceof Target.Team team
                                && teamRef(n, Optional.of(team.id().value()), ids).isEmpty()) {
                              return Optional.empty();
                            }
                            return Optional.of(t);
                          } catch (IllegalArgumentException e) {
                            n.error(e.getMessage());
                            return Optional.empty();
                          }
                        }));
    return target.map(t -> new Level(t, ackTimeout));
  }
}
