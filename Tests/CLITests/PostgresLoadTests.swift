import ColFormat
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TestSupport
import Testing

/// `colconv DATA 'postgresql://…' --table T` against a real PostgreSQL server (docs/POSTGRES.md).
@Suite("colconv into PostgreSQL", .serialized)
struct PostgresLoadTests {
    /// A .col file of every type with the values that break loaders: nulls, NaN, ±∞, −0, Int64's extremes,
    /// multi-byte UTF-8, empty strings, dates and timestamps before 1970, and JSON.
    func edgeFile(_ path: String) throws {
        let names = ["id", "i", "f", "b", "s", "d", "t", "j"]
        let w = try ColFileWriter(path: path, columns: names.map { ColumnDescriptor(name: $0) })
        var id = ColumnVector(type: .int64), i = ColumnVector(type: .int64), f = ColumnVector(type: .float64), b = ColumnVector(type: .bool)
        var s = ColumnVector(type: .string), d = ColumnVector(type: .date), t = ColumnVector(type: .timestamp), j = ColumnVector(type: .json)
        let ints: [Int64?] = [Int64.min, Int64.max, 0, -1, nil, 42, 7, 9]
        let floats: [Double?] = [.nan, .infinity, -.infinity, -0.0, nil, 1e308, 5e-324, 0.1]
        let bools: [Bool?] = [true, false, nil, true, false, true, false, true]
        let texts: [String?] = ["", "日本語 🎉", nil, "a\"b'c\\d", "tab\there", "line\nbreak", "Zürich", "x"]
        let dates: [Int32?] = [0, -1, -25_567, -719_162, nil, 20_000, 2_932_896, 1]
        let times: [Int64?] = [0, -1, -2_208_988_800_000_000, 1_700_000_000_123_456, nil, -62_135_596_800_000_000, 253_402_300_799_999_999, 1]
        let jsons: [String?] = ["{\"a\":1}", "[1,2,3]", nil, "\"s\"", "null", "{\"k\":{\"n\":[true,false]}}", "3.5", "{}"]
        for r in 0..<8 {
            id.append(Int64(r))
            if let v = ints[r] { i.append(v) } else { i.appendNull() }
            if let v = floats[r] { f.append(v) } else { f.appendNull() }
            if let v = bools[r] { b.append(v) } else { b.appendNull() }
            if let v = texts[r] { s.append(string: v) } else { s.appendNull() }
            if let v = dates[r] { d.append(date: v) } else { d.appendNull() }
            if let v = times[r] { t.append(v) } else { t.appendNull() }
            if let v = jsons[r] { j.append(utf8: Array(v.utf8)) } else { j.appendNull() }
        }
        try w.append([id, i, f, b, s, d, t, j])
        try w.finish()
    }

    @Test("every type round-trips: nulls, NaN, ±∞, Int64's extremes, UTF-8, empty strings, dates and times before 1970, as psql prints them")
    func everyType() throws {
        let pg = try PostgresServer.shared()
        let uri = try pg.database("types")
        let s = Scratch()
        try edgeFile(s.file("edge.col"))
        let r = try CLI.run("colconv", ["edge.col", uri, "--table", "edge"], in: s.path, environment: pg.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("8 rows loaded into \"edge\" (created)"), "\(r.stderr)")
        let columns = try pg.psql("SELECT column_name || ' ' || data_type FROM information_schema.columns WHERE table_name = 'edge' ORDER BY ordinal_position", db: "types")
        #expect(columns == """
            id bigint
            i bigint
            f double precision
            b boolean
            s text
            d date
            t timestamp with time zone
            j jsonb

            """)
        let rows = try pg.psql("SELECT id, i, f, b, s, d, t, j FROM edge ORDER BY id", db: "types")
        #expect(rows == """
            0|-9223372036854775808|NaN|t||1970-01-01|1970-01-01 00:00:00+00|{"a": 1}
            1|9223372036854775807|Infinity|f|日本語 🎉|1969-12-31|1969-12-31 23:59:59.999999+00|[1, 2, 3]
            2|0|-Infinity|||1900-01-01|1900-01-01 00:00:00+00|
            3|-1|-0|t|a"b'c\\d|0001-01-01|2023-11-14 22:13:20.123456+00|"s"
            4|||f|tab\there|||null
            5|42|1e+308|t|line
            break|2024-10-04|0001-01-01 00:00:00+00|{"k": {"n": [true, false]}}
            6|7|5e-324|f|Zürich|9999-12-31|9999-12-31 23:59:59.999999+00|3.5
            7|9|0.1|t|x|1970-01-02|1970-01-01 00:00:00.000001+00|{}

            """, "\(rows)")
        // NaN and ±∞ are values, not nulls.
        #expect(try pg.psql("SELECT count(*) FROM edge WHERE f IS NULL", db: "types") == "1\n")
    }

    @Test("fail is the default; append checks the columns and adds; an incompatible table is refused with its differences; replace swaps")
    func policies() throws {
        let pg = try PostgresServer.shared()
        let uri = try pg.database("policies")
        let s = Scratch()
        try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/demo/orders.csv", toPath: s.file("orders.csv"))
        var r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.orders"], in: s.path, environment: pg.environment)
        #expect(r.status == 2 && r.stderr.contains("schema \"sales\" does not exist"), "\(r.stderr)")
        _ = try pg.psql("CREATE SCHEMA sales", db: "policies")
        r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.orders", "--not-null-from-data"], in: s.path, environment: pg.environment)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try pg.psql("SELECT count(*), count(discount), round(sum(unit_price)::numeric, 2) FROM sales.orders", db: "policies") == "5000|1502|2261754.89\n")
        #expect(try pg.psql("SELECT attname FROM pg_attribute WHERE attrelid = 'sales.orders'::regclass AND attnotnull AND attnum > 0 ORDER BY attnum", db: "policies")
                    .contains("order_id\n"))
        #expect(!(try pg.psql("SELECT attname FROM pg_attribute WHERE attrelid = 'sales.orders'::regclass AND attnotnull AND attnum > 0", db: "policies"))
                    .contains("discount"))
        // fail, the default: the table is left alone.
        r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.orders"], in: s.path, environment: pg.environment)
        #expect(r.status == 2 && r.stderr.contains("table \"sales\".\"orders\" exists"), "\(r.stderr)")
        // append: to a compatible table (wider numeric types, an extra nullable column), in one statement.
        _ = try pg.psql("""
            CREATE TABLE sales.wide AS SELECT * FROM sales.orders WITH NO DATA;
            ALTER TABLE sales.wide ALTER COLUMN quantity TYPE numeric, ADD COLUMN loaded_at timestamptz DEFAULT now(), ADD COLUMN memo text
            """, db: "policies")
        r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.wide", "--if-exists", "append"], in: s.path, environment: pg.environment)
        #expect(r.status == 0 && r.stderr.contains("(appended to)"), "\(r.stderr)")
        r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.wide", "--if-exists", "append", "-q"], in: s.path, environment: pg.environment)
        #expect(try pg.psql("SELECT count(*), count(loaded_at), count(memo) FROM sales.wide", db: "policies") == "10000|10000|0\n")
        // An incompatible table: refused before anything is sent, with the differences.
        _ = try pg.psql("CREATE TABLE sales.narrow (order_id integer, city varchar(3), extra int NOT NULL)", db: "policies")
        r = try CLI.run("colconv", ["orders.csv", uri, "--table", "sales.narrow", "--if-exists", "append"], in: s.path, environment: pg.environment)
        #expect(r.status == 2, "\(r.stderr)")
        for line in ["order_id      bigint", "bigint does not fit integer", "ship_date", "not in the table", "extra", "NOT NULL without a default"] {
            #expect(r.stderr.contains(line), "\(line): \(r.stderr)")
        }
        #expect(try pg.psql("SELECT count(*) FROM sales.narrow", db: "policies") == "0\n")
        // replace: the new rows, under the same name, swapped at commit.
        s.write("few.csv", "order_id,city\n1,Lyon\n2,Nice\n")
        r = try CLI.run("colconv", ["few.csv", uri, "--table", "sales.orders", "--if-exists", "replace"], in: s.path, environment: pg.environment)
        #expect(r.status == 0 && r.stderr.contains("2 rows loaded into \"sales\".\"orders\" (replaced)"), "\(r.stderr)")
        #expect(try pg.psql("SELECT order_id, city FROM sales.orders ORDER BY 1", db: "policies") == "1|Lyon\n2|Nice\n")
        #expect(try pg.psql("SELECT count(*) FROM pg_class WHERE relname LIKE '_colconv_stage%'", db: "policies") == "0\n")
    }

    @Test("a drift gate that fails loads nothing (exit 1, the drift report printed); one that passes loads")
    func gate() throws {
        let pg = try PostgresServer.shared()
        let uri = try pg.database("gate")
        let s = Scratch()
        for name in ["drift-base", "drift-new"] {
            try FileManager.default.copyItem(atPath: "\(CLI.root)/Fixtures/cli/\(name).csv", toPath: s.file("\(name).csv"))
        }
        #expect(try CLI.run("colconv", ["drift-base.csv", "base.col", "-q"], in: s.path).status == 0)
        var r = try CLI.run("colconv", ["drift-new.csv", uri, "--table", "t", "--gate", "base.col"], in: s.path, environment: pg.environment)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("result: FAIL") && r.stderr.contains("nothing was loaded"), "\(r.stdout)\(r.stderr)")
        #expect(try pg.psql("SELECT count(*) FROM pg_tables WHERE tablename = 't'", db: "gate") == "0\n")
        r = try CLI.run("colconv", ["drift-base.csv", uri, "--table", "t", "--gate", "base.col"], in: s.path, environment: pg.environment)
        #expect(r.status == 0 && r.stderr.contains("gate: base.col → drift-base.csv: pass"), "\(r.stderr)")
        #expect(try pg.psql("SELECT count(*) FROM t", db: "gate") == "4000\n")
        // colprof.toml beside the baseline counts, as for colprof drift: with the failing columns excluded
        // and a looser null rate, the new data passes the gate.
        s.write("colprof.toml", "exclude = [\"code\", \"score\"]\n[thresholds]\n\"null_rate.fail\" = 0.2\n")
        r = try CLI.run("colconv", ["drift-new.csv", uri, "--table", "t2", "--gate", "base.col"], in: s.path, environment: pg.environment)
        #expect(r.status == 0 && r.stderr.contains("pass with warnings"), "\(r.stdout)\(r.stderr)")
        #expect(try pg.psql("SELECT count(*) FROM t2", db: "gate") == "4000\n")
    }

    @Test("a bad URI, a password on the command line, a refused connection and a wrong password: a clear message and exit 2")
    func connectionErrors() throws {
        let pg = try PostgresServer.shared()
        let s = Scratch()
        try edgeFile(s.file("edge.col"))
        let cases: [(String, [String: String], String)] = [
            ("postgresql://%zz@/x", pg.environment, "not a PostgreSQL connection string"),
            ("postgresql://postgres:secret@/postgres?host=\(pg.socketFolder)", pg.environment, "holds a password; give it in PGPASSWORD or ~/.pgpass"),
            ("postgresql://postgres@/postgres?host=\(s.path)&port=1", pg.environment, "cannot connect: connection to server on socket"),
            (pg.uri(), ["PGPASSWORD": "wrong", "PGTZ": "UTC"], "password authentication failed for user \"postgres\""),
        ]
        for (uri, environment, message) in cases {
            let r = try CLI.run("colconv", ["edge.col", uri, "--table", "t"], in: s.path, environment: environment)
            #expect(r.status == 2 && r.stderr.contains(message), "\(uri): \(r.stderr)")
            #expect(!r.stderr.contains("secret"), "the password was printed")
        }
        let r = try CLI.run("colconv", ["edge.col", pg.uri()], in: s.path, environment: pg.environment)
        #expect(r.status == 2 && r.stderr.contains("needs --table"), "\(r.stderr)")
    }

    @Test("1M rows load, and a load killed with SIGKILL halfway leaves the target as it was and no staging table")
    func millionRowsAndKill() throws {
        let pg = try PostgresServer.shared()
        let uri = try pg.database("big")
        let s = Scratch()
        var csv = "seq,price,city,day\n"
        csv.reserveCapacity(40_000_000)
        for k in 0..<1_000_000 { csv += "\(k),\(Double(k % 10_000) / 100),city_\(k % 37),2026-\(k % 12 + 1)-\(k % 28 + 1)\n" }
        s.write("big.csv", csv)
        #expect(try CLI.run("colconv", ["big.csv", "big.col", "-q", "--chunk-rows", "65536"], in: s.path).status == 0)
        var r = try CLI.run("colconv", ["big.col", uri, "--table", "big"], in: s.path, environment: pg.environment)
        #expect(r.status == 0 && r.stderr.contains("1000000 rows loaded"), "\(r.stderr)")
        #expect(try pg.psql("SELECT count(*), sum(seq), count(DISTINCT city) FROM big", db: "big") == "1000000|499999500000|37\n")
        // Replace it, and kill colconv while the COPY runs.
        var killedWhileCopying = false
        for attempt in 0..<5 where !killedWhileCopying {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: CLI.binary("colconv"))
            p.arguments = ["big.col", uri, "--table", "big", "--if-exists", "replace", "-q"]
            p.currentDirectoryURL = URL(fileURLWithPath: s.path)
            var env = ProcessInfo.processInfo.environment
            env.merge(pg.environment) { _, b in b }
            p.environment = env
            try p.run()
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline && p.isRunning {
                let copying = (try? pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'big' AND query LIKE 'COPY %'", db: "postgres")) ?? "0\n"
                if copying != "0\n" {
                    usleep(UInt32(50_000 * (attempt + 1)))
                    kill(p.processIdentifier, SIGKILL)
                    killedWhileCopying = true
                    break
                }
                usleep(2_000)
            }
            p.waitUntilExit()
            if killedWhileCopying { #expect(p.terminationReason == .uncaughtSignal) }
        }
        #expect(killedWhileCopying, "the load ended before it could be killed")
        // The server notices the closed connection and rolls the transaction back.
        var left = ""
        for _ in 0..<100 {
            left = try pg.psql("SELECT count(*) FROM pg_class WHERE relname LIKE '_colconv_stage%'", db: "big")
            let copying = try pg.psql("SELECT count(*) FROM pg_stat_activity WHERE datname = 'big' AND query LIKE 'COPY %'")
            if left == "0\n" && copying == "0\n" { break }
            usleep(100_000)
        }
        #expect(left == "0\n", "a staging table remains")
        #expect(try pg.psql("SELECT count(*), sum(seq) FROM big", db: "big") == "1000000|499999500000\n")
        r = try CLI.run("colconv", ["big.col", uri, "--table", "big", "--if-exists", "replace", "-q"], in: s.path, environment: pg.environment)
        #expect(r.status == 0, "\(r.stderr)")
    }
}
