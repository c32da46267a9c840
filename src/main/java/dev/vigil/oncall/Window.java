package dev.vigil.oncall;

import dev.vigil.config.Pos;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A recurring coverage window: half-open {@code [from, to)} each day, in UTC unless a zone is
 * named.
 *
 * <ul>
 *   <li>{@code to} before {@code from} means the window ends the next day (21:00–05:00 is one
 *       window);
 *   <li>{@code from == to} means all day (24 hours; in a zone, one local day: 23 or 25 hours on a
 *       daylight-saving change);
 *   <li>{@code days} are the days on which the window <em>starts</em>; empty means every day;
 *   <li>in a zone, a local edge that falls in a daylight-saving gap is the end of the gap, and one
 *       in a repeated hour is its first occurrence. Both edges follow the same rule, so windows
 *       that meet in local time still meet (no hole, no overlap) on the change days.
 * </ul>
 *
 * @param zone {@link ZoneOffset#UTC} for a UTC window
 * @param pos where the window is written, for lint messages
 */
public record Window(LocalTime from, LocalTime to, Set<DayOfWeek> days, ZoneId zone, Pos pos) {
  public Window {
    days = days.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(days));
  }

  /** An every-day UTC window, for code and tests. */
  public static Window utc(String from, String to) {
    return new Window(
        LocalTime.parse(from), LocalTime.parse(to), Set.of(), ZoneOffset.UTC, Pos.of("(code)"));
  }

  public boolean isUtc() {
    return zone.equals(ZoneOffset.UTC);
  }

  public boolean startsOn(DayOfWeek day) {
    return days.isEmpty() || days.contains(day);
  }

  /** The shift that starts on the given local date, if the window runs that day. */
  public List<Shift> shiftStartingOn(TeamId team, LocalDate day) {
    if (!startsOn(day.getDayOfWeek())) {
      return List.of();
    }
    Instant start = instant(day, from, zone);
    LocalDate endDay = to.isAfter(from) ? day : day.plusDays(1);
    Instant end = instant(endDay, to, zone);
    if (!end.isAfter(start)) {
      return List.of(); // a local window swallowed by a daylight-saving gap
    }
    return List.of(new Shift(team, start, end));
  }

  /** The shift of this window that contains {@code t}, if any. */
  public boolean covers(Instant t) {
    LocalDate d = LocalDate.ofInstant(t, zone);
    // A shift lasts at most 25 hours, so only shifts starting on the two previous days or today can
    // hold t.
    for (int back = 0; back <= 2; back++) {
      for (Shift s : shiftStartingOn(null, d.minusDays(back))) {
        if (s.contains(t)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Shifts that start in {@code [from, until)}, in order. */
  public List<Shift> shiftsStartingBetween(TeamId team, Instant from, Instant until) {
    List<Shift> out = new ArrayList<>();
    LocalDate d = LocalDate.ofInstant(from, zone).minusDays(1);
    LocalDate last = LocalDate.ofInstant(until, zone).plusDays(1);
    for (; !d.isAfter(last); d = d.plusDays(1)) {
      for (Shift s : shiftStartingOn(team, d)) {
        if (!s.start().isBefore(from) && s.start().isBefore(until)) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Shifts that end in {@code (from, until]}, i.e. edges where coverage may change. */
  List<Instant> edgesBetween(Instant from, Instant until) {
    List<Instant> out = new ArrayList<>();
    LocalDate d = LocalDate.ofInstant(from, zone).minusDays(2);
    LocalDate last = LocalDate.ofInstant(until, zone).plusDays(1);
    for (; !d.isAfter(last); d = d.plusDays(1)) {
      for (Shift s : shiftStartingOn(null, d)) {
        if (s.start().isAfter(from) && !s.start().isAfter(until)) {
          out.add(s.start());
        }
        if (s.end().isAfter(from) && !s.end().isAfter(until)) {
          out.add(s.end());
        }
      }
    }
    return out;
  }

  /**
   * A local date and time as an instant: in a gap, the end of the gap; in a repeated hour, the
   * first occurrence.
   */
  static Instant instant(LocalDate day, LocalTime time, ZoneId zone) {
    LocalDateTime ldt = LocalDateTime.of(day, time);
    ZoneOffsetTransition t = zone.getRules().getTransition(ldt);
    if (t != null && t.isGap()) {
      return t.getInstant();
    }
    return ZonedDateTime.ofLocal(ldt, zone, null).toInstant();
  }

  /** As written: {@code 21:00–05:00 UTC}, {@code 09:00–17:00 Europe/Berlin mon,tue}. */
  public String describe() {
    String s = from + "–" + to + " " + (isUtc() ? "UTC" : zone.getId());
    if (!days.isEmpty()) {
      s +=
          " "
              + String.join(
                  ",",
                  EnumSet.copyOf(days).stream()
                      .map(d -> d.name().substring(0, 3).toLowerCase())
                      .toList());
    }
    return s;
  }
}
