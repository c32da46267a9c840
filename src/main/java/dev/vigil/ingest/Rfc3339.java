package dev.vigil.ingest;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * RFC 3339 times as Alertmanager writes them ({@code 2026-11-29T05:36:32.123456789Z}, {@code
 * ...+02:00}), read without {@code DateTimeFormatter}, which costs more than the rest of an alert.
 * Anything else (lower-case separators, leap seconds, out-of-range fields) is left to {@link
 * Instant#parse}: {@link #parse} returns null for it.
 */
final class Rfc3339 {
  private Rfc3339() {}

  static Instant parse(String s) {
    int n = s.length();
    if (n < 20
        || s.charAt(4) != '-'
        || s.charAt(7) != '-'
        || s.charAt(10) != 'T'
        || s.charAt(13) != ':'
        || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0
        || month < 0
        || day < 0
        || hour < 0
        || hour > 23
        || minute < 0
        || minute > 59
        || second < 0
        || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && Character.isDigit(s.charAt(i))) {
        nanos = nanos * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || (i < n && Character.isDigit(s.charAt(i)))) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offset;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offset = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 18 * 60) {
        return null; // java.time takes offsets up to ±18:00
      }
      offset = (s.charAt(i) == '+' ? 1 : -1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    try {
      long days = LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(
          days * 86_400 + hour * 3600L + minute * 60L + second - offset, nanos);
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** The number written by {@code len} ASCII digits at {@code from}, or -1. */
  private static int digits(String s, int from, int len) {
    int v = 0;
    for (int i = from; i < from + len; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }
}
