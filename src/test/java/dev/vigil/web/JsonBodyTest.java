package dev.vigil.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A body is exactly one JSON document in valid UTF-8; each way of not being one is named. */
class JsonBodyTest {
  static byte[] hex(String h) {
    return HexFormat.of().parseHex(h.replace(" ", ""));
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "trailing garbage",
            utf8("{\"a\":\"b\"} xyz"),
            "body: unexpected data after the JSON document at line 1, column"),
        Arguments.of(
            "trailing close bracket",
            utf8("[1]]"),
            "body: unexpected data after the JSON document at line 1, column"),
        Arguments.of(
            "two documents",
            utf8("{\"a\":1}{\"a\":2}"),
            "body: a second JSON value after the first at line 1, column 8"),
        Arguments.of(
            "two documents on two lines",
            utf8("[1]\n[2]"),
            "body: a second JSON value after the first at line 2, column 1"),
        Arguments.of(
            "a number after the document",
            utf8("{} 1"),
            "body: a second JSON value after the first at line 1, column 4"),
        // {"a":"/"} with the slash written as the overlong C0 AF, which Jackson read as '/'
        Arguments.of(
            "overlong UTF-8",
            hex("7B 22 61 22 3A 22 C0 AF 22 7D"),
            "body: not valid UTF-8 at byte 6 (C0)"),
        Arguments.of(
            "overlong 3-byte NUL",
            hex("7B 22 61 22 3A 22 E0 80 80 22 7D"),
            "body: not valid UTF-8 at byte 6"),
        Arguments.of(
            "a UTF-16 surrogate in UTF-8",
            hex("7B 22 61 22 3A 22 ED A0 80 22 7D"),
            "body: not valid UTF-8 at byte 6"),
        Arguments.of(
            "a truncated sequence at the end",
            hex("5B 22 E2 82"),
            "body: not valid UTF-8 at byte 2"),
        Arguments.of(
            "UTF-16 with a BOM",
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16),
            "body: UTF-16 (byte order mark FE FF)"),
        Arguments.of(
            "UTF-16LE with a BOM",
            hex("FF FE 7B 00 7D 00"),
            "body: UTF-16 (byte order mark FF FE)"),
        Arguments.of(
            "UTF-16LE without a BOM",
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16LE),
            "body: NUL byte at byte 1 (UTF-16 or UTF-32?)"),
        Arguments.of(
            "UTF-16BE without a BOM",
            "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE),
            "body: NUL byte at byte 0 (UTF-16 or UTF-32?)"),
        Arguments.of("UTF-32", hex("00 00 00 7B 00 00 00 7D"), "body: NUL byte at byte 0"),
        Arguments.of("empty", new byte[0], "body: empty; expected JSON"),
        Arguments.of("only whitespace", utf8(" \n\t"), "body: empty; expected JSON"),
        Arguments.of(
            "a duplicate key",
            utf8("{\"a\":1,\"a\":2}"),
            "body: malformed JSON at line 1, column 11: Duplicate field 'a'"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void eachProblemIsA400NamingIt(String name, byte[] body, String message) {
    assertThatThrownBy(() -> JsonBody.read(body))
        .isInstanceOf(BadRequest.class)
        .hasMessageStartingWith(message);
  }

  @Test
  void oneDocumentWithTrailingWhitespaceAndAUtf8ByteOrderMarkIsRead() {
    assertThat(JsonBody.read(utf8("{\"a\":\"é€😀\"}\r\n  ")).get("a").asText()).isEqualTo("é€😀");
    assertThat(JsonBody.read(hex("EF BB BF 5B 31 5D")).get(0).asInt()).isEqualTo(1);
  }

  @Test
  void anObjectIsRequiredWhereOneIsExpected() {
    assertThat(JsonBody.object(utf8("{\"by\":\"alice\",\"n\":{\"x\":[1]}}"), "{}"))
        .containsEntry("by", "alice");
    assertThatThrownBy(() -> JsonBody.object(utf8("[1]"), "{\"by\": \"alice\"}"))
        .isInstanceOf(BadRequest.class)
        .hasMessage("body: expected a JSON object like {\"by\": \"alice\"}");
  }
}
