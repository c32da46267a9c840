package dev.vigil.store;

import static dev.vigil.store.Dialect.POSTGRES;
import static dev.vigil.store.Dialect.SQLITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where a migration script's statements end, on each dialect, and their canonical form. */
class StatementSplitterTest {

  static Stream<Arguments> scripts() {
    return Stream.of(
        // dialect, script, statements
        Arguments.of(
            SQLITE,
            "CREATE TABLE a (x INT);\nCREATE TABLE b (y INT);\n",
            List.of("CREATE TABLE a (x INT)", "CREATE TABLE b (y INT)")),
        Arguments.of(SQLITE, "SELECT 1", List.of("SELECT 1")),
        Arguments.of(SQLITE, "SELECT 1;;  ;\n-- only a comment\n;", List.of("SELECT 1")),
        Arguments.of(SQLITE, "", List.of()),
        Arguments.of(SQLITE, "-- a script of comments only;\n/* and; this */", List.of()),
        // semicolons in literals and quoted identifiers; a doubled quote stands for itself
        Arguments.of(
            SQLITE,
            "INSERT INTO t VALUES ('a;b', 'it''s; fine');SELECT 2",
            List.of("INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT 2")),
        Arguments.of(
            SQLITE,
            "CREATE TABLE \"we;ird\"\"\" (`c;1` INT, [c;2] INT); SELECT 3",
            List.of("CREATE TABLE \"we;ird\"\"\" (`c;1` INT, [c;2] INT)", "SELECT 3")),
        // a literal spanning lines is kept as written, newlines included
        Arguments.of(
            SQLITE,
            "INSERT INTO t VALUES ('line one;\n  line two');",
            List.of("INSERT INTO t VALUES ('line one;\n  line two')")),
        // ; and quotes inside comments do nothing; a comment between tokens is one space
        Arguments.of(
            SQLITE,
            "SELECT 1 -- it's; not the end\n + 2; SELECT/* '; */3",
            List.of("SELECT 1 + 2", "SELECT 3")),
        // -- inside a literal is not a comment
        Arguments.of(
            SQLITE,
            "SELECT '-- not a comment;'; SELECT 4",
            List.of("SELECT '-- not a comment;'", "SELECT 4")),
        // layout and line endings do not matter
        Arguments.of(
            SQLITE,
            "CREATE TABLE a (\r\n  x INT,\r\n\ty INT\r\n);\r\n",
            List.of("CREATE TABLE a ( x INT, y INT )")),
        // a byte-order mark is not part of the first statement
        Arguments.of(SQLITE, "\uFEFFSELECT 1;", List.of("SELECT 1")),
        // a SQLite trigger's body holds statements; CASE ... END inside it does not end it
        Arguments.of(
            SQLITE,
            """
            CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN
              INSERT INTO audit VALUES (new.id, CASE WHEN new.x > 0 THEN 'up' ELSE 'down' END);
              UPDATE t SET seen = 1 WHERE id = new.id;
            END;
            SELECT 5;""",
            List.of(
                "CREATE TRIGGER t_audit AFTER UPDATE ON t BEGIN INSERT INTO audit VALUES (new.id, CASE WHEN new.x > 0"
                    + " THEN 'up' ELSE 'down' END); UPDATE t SET seen = 1 WHERE id = new.id; END",
                "SELECT 5")),
        Arguments.of(
            SQLITE,
            "create temp trigger IF NOT EXISTS x after insert on t begin delete from u; end; select 6",
            List.of(
                "create temp trigger IF NOT EXISTS x after insert on t begin delete from u; end",
                "select 6")),
        // BEGIN outside a trigger is an ordinary statement
        Arguments.of(SQLITE, "BEGIN; SELECT 7; END;", List.of("BEGIN", "SELECT 7", "END")),
        // SQLite's block comments do not nest
        Arguments.of(SQLITE, "/* a /* b */ SELECT 8;", List.of("SELECT 8")),

        // PostgreSQL: dollar quoting, anonymous and tagged, with semicolons and quotes inside
        Arguments.of(
            POSTGRES,
            """
            CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              NEW.updated_at := 0; -- it's kept: the body is one literal
              RETURN NEW;
            END;
            $$;
            CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();""",
            List.of(
                "CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  NEW.updated_at := 0;"
                    + " -- it's kept: the body is one literal\n  RETURN NEW;\nEND;\n$$",
                "CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch()")),
        Arguments.of(
            POSTGRES,
            "DO $body$ BEGIN PERFORM '$$;'; END $body$; SELECT 9",
            List.of("DO $body$ BEGIN PERFORM '$$;'; END $body$", "SELECT 9")),
        // $1 is a parameter and a$b an identifier, not the start of a dollar quote
        Arguments.of(
            POSTGRES,
            "PREPARE p AS SELECT $1; SELECT a$b$ FROM t; SELECT 10",
            List.of("PREPARE p AS SELECT $1", "SELECT a$b$ FROM t", "SELECT 10")),
        // E'' strings take backslash escapes; plain ones do not
        Arguments.of(
            POSTGRES,
            "SELECT E'it\\'s;'; SELECT 'C:\\'; SELECT 11",
            List.of("SELECT E'it\\'s;'", "SELECT 'C:\\'", "SELECT 11")),
        // PostgreSQL's block comments nest
        Arguments.of(
            POSTGRES, "/* outer /* inner; */ still a comment; */ SELECT 12;", List.of("SELECT 12")),
        // a BEGIN ATOMIC body (SQL-standard function) holds statements
        Arguments.of(
            POSTGRES,
            """
            CREATE OR REPLACE FUNCTION bump(i int) RETURNS int LANGUAGE sql BEGIN ATOMIC
              UPDATE counters SET n = n + 1;
              SELECT CASE WHEN i > 0 THEN i ELSE 0 END;
            END;
            SELECT 13;""",
            List.of(
                "CREATE OR REPLACE FUNCTION bump(i int) RETURNS int LANGUAGE sql BEGIN ATOMIC UPDATE counters SET n = n + 1;"
                    + " SELECT CASE WHEN i > 0 THEN i ELSE 0 END; END",
                "SELECT 13")),
        // semicolons inside parentheses (a rule's action list) do not end the statement
        Arguments.of(
            POSTGRES,
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 14",
            List.of(
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
                "SELECT 14")),
        // [ is an array subscript on PostgreSQL, not a quote
        Arguments.of(POSTGRES, "SELECT a[1]; SELECT 15", List.of("SELECT a[1]", "SELECT 15")));
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("scripts")
  void splitsWhereTheDatabaseShellWould(Dialect dialect, String script, List<String> statements) {
    assertThat(StatementSplitter.split(dialect, "V1.sql", script))
        .containsExactlyElementsOf(statements);
  }

  static Stream<Arguments> unclosed() {
    return Stream.of(
        Arguments.of(
            SQLITE,
            "SELECT 1;\nINSERT INTO t VALUES ('oops);\n",
            "V9.sql:2:23: a string literal is not closed by '"),
        Arguments.of(SQLITE, "SELECT \"x;", "V9.sql:1:8: a quoted identifier is not closed by \""),
        Arguments.of(SQLITE, "SELECT `x;", "V9.sql:1:8: a quoted identifier is not closed by `"),
        Arguments.of(SQLITE, "SELECT [x;", "V9.sql:1:8: a [quoted identifier] is not closed by ]"),
        Arguments.of(
            SQLITE,
            "SELECT 1;\n  /* never closed; SELECT 2;",
            "V9.sql:2:3: a /* comment is not closed by */"),
        Arguments.of(
            POSTGRES, "/* a /* b */ SELECT 1;", "V9.sql:1:1: a /* comment is not closed by */"),
        Arguments.of(
            POSTGRES,
            "DO $x$ BEGIN END $y$;",
            "V9.sql:1:4: a dollar-quoted string is not closed by $x$"),
        Arguments.of(
            SQLITE,
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM b;",
            "V9.sql:1:36: a BEGIN ... END body is not closed by END"),
        Arguments.of(
            SQLITE,
            "CREATE TABLE a (x INT;\nSELECT 1;",
            "V9.sql:1:16: a parenthesis is not closed"));
  }

  @ParameterizedTest(name = "[{index}] {0}: {1}")
  @MethodSource("unclosed")
  void aScriptThatEndsInsideSomethingIsRefusedWithWhereItBegan(
      Dialect dialect, String script, String message) {
    assertThatThrownBy(() -> StatementSplitter.split(dialect, "V9.sql", script))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message + " before the end of the file");
  }

  @Test
  void everyBundledMigrationSplitsIntoItsStatementsOnItsDialect() {
    for (Dialect dialect : Dialect.values()) {
      List<Migration> migrations = Migration.bundled(dialect);
      assertThat(migrations).extracting(Migration::version).startsWith(1, 2, 3, 4, 5, 6, 7, 8);
      // V1 creates three tables and five indexes on both
      assertThat(migrations.get(0).statements()).hasSize(8);
      assertThat(migrations)
          .allSatisfy(
              m -> assertThat(m.statements()).allSatisfy(s -> assertThat(s).doesNotContain("--")));
    }
  }

  @Test
  void theChecksumFollowsTheStatementsNotTheCommentsOrLayout() {
    Migration a =
        Migration.of(SQLITE, 3, "V3.sql", "-- V3 [F4]: runs\nCREATE TABLE runs (id INT);\n");
    Migration b =
        Migration.of(SQLITE, 3, "V3.sql", "-- V3: runs\r\nCREATE TABLE runs (\r\n  id INT\r\n);");
    Migration c = Migration.of(SQLITE, 3, "V3.sql", "CREATE TABLE runs (id BIGINT);");
    assertThat(a.checksum())
        .isEqualTo(Migration.of(SQLITE, 3, "V3.sql", "CREATE TABLE runs (id INT)").checksum())
        .hasSize(64);
    assertThat(b.checksum())
        .isNotEqualTo(a.checksum()); // "( id INT )" is another layout inside the parentheses
    assertThat(b.checksum())
        .isEqualTo(Migration.of(SQLITE, 3, "V3.sql", "CREATE TABLE runs ( id INT );").checksum());
    assertThat(c.checksum()).isNotEqualTo(a.checksum());
    // a literal's content counts, spaces included
    assertThat(Migration.of(SQLITE, 1, "V1.sql", "SELECT 'a  b'").checksum())
        .isNotEqualTo(Migration.of(SQLITE, 1, "V1.sql", "SELECT 'a b'").checksum());
  }
}
