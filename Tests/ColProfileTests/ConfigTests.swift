import ColFormat
import ColProfile
import Testing
import TestSupport

@Suite("colprof.toml")
struct ConfigTests {
    func parse(_ text: String) throws(TOMLError) -> TOMLTable { try TOMLReader.parse(Array(text.utf8)) }

    @Test("the TOML colprof.toml uses: tables, dotted and quoted keys, strings, numbers, booleans, arrays, inline tables")
    func toml() throws {
        let t = try parse("""
            # a comment
            name = "a \\"quoted\\" \\u00e9 string"   # trailing comment
            literal = 'C:\\path'
            n = -1_000
            x = 6.02e23
            flags = [true, false,
                     true,]   # multi-line array
            [columns."scheduled at"]
            role = "event_time"
            thresholds = { psi.fail = 0.5, "ks.warn" = 1 }
            [columns.id]
            role = "key"
            """)
        guard case let .string(name)? = t["name"]?.value, case let .string(literal)? = t["literal"]?.value,
              case let .integer(n)? = t["n"]?.value, case let .float(x)? = t["x"]?.value, case let .array(flags)? = t["flags"]?.value,
              case let .table(columns)? = t["columns"]?.value, case let .table(at)? = columns["scheduled at"]?.value,
              case let .table(th)? = at["thresholds"]?.value, case let .table(psi)? = th["psi"]?.value
        else { Issue.record("shape"); return }
        #expect(name == "a \"quoted\" é string" && literal == "C:\\path" && n == -1000 && x == 6.02e23 && flags.count == 3)
        #expect(columns.entries.map(\.key) == ["scheduled at", "id"])
        if case let .float(v)? = psi["fail"]?.value { #expect(v == 0.5) } else { Issue.record("psi.fail") }
        #expect(t["flags"]?.line == 6 && t["flags"]?.column == 9)
    }

    @Test("what TOML refuses, or colprof.toml does not use, is refused with its line and column", arguments: [
        ("a = 1\na = 2\n", 2, 1, "defined twice"),
        ("[t]\n[t]\n", 2, 1, "defined twice"),
        ("a = \"open\n", 1, 5, "not closed"),
        ("a = 01\n", 1, 5, "leading zeros"),
        ("a = 1__0\n", 1, 5, "underscore"),
        ("a = 1 b = 2\n", 1, 7, "unexpected 'b'"),
        ("[[t]]\n", 1, 1, "arrays of tables"),
        ("a = \"\"\"x\"\"\"\n", 1, 5, "multi-line"),
        ("d = 2026-11-29\n", 1, 5, "dates"),
        ("a = [1, 2\n", 2, 1, "not closed"),
        ("= 3\n", 1, 1, "expected a key"),
        ("a = " + String(repeating: "[", count: 5000) + "\n", 1, 37, "nest more than 32 deep"),
        ("a = " + String(repeating: "{ b = ", count: 40) + "\n", 1, 5 + 32 * 6, "nest more than 32 deep"),
    ])
    func refused(_ text: String, _ line: Int, _ column: Int, _ words: String) {
        do {
            _ = try parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.line == line && error.column == column && error.message.contains(words), "\(error)")
        }
    }

    @Test("a colprof.toml is validated: roles, thresholds and keys by name, each error located")
    func validated() throws {
        let s = Scratch()
        let good = s.write("colprof.toml", """
            fail_on = "warn"
            last = 7
            exclude = ["note"]
            [thresholds]
            psi.fail = 0.3
            [columns.seq]
            role = "key"
            [columns.delay]
            exclude = false
            thresholds = { "null_rate.fail" = 0.5 }
            [columns.comment]
            exclude = true
            """)
        let c = try DriftConfig(path: good)
        #expect(c.failOn == .warn && c.last == 7 && c.excluded == ["note", "comment"] && c.roles == ["seq": .key])
        #expect(c.thresholds.map(\.0) == ["psi.fail"] && c.columnThresholds["delay"]?.map(\.1) == [0.5])
        #expect(DriftConfig.beside(s.file("base.col")) == good && DriftConfig.beside(s.path) == good)
        for (text, message) in [
            ("fail_on = \"sometimes\"\n", "line 1, column 11: fail_on is \"fail\" or \"warn\""),
            ("[columns.a]\nrole = \"primary\"\n", "line 2, column 8: unknown role 'primary'"),
            ("[thresholds]\npsi.fial = 0.3\n", "line 2, column 12: unknown threshold 'psi.fial'"),
            ("[columns.a]\ncolour = 1\n", "line 2, column 10: unknown key 'colour' in columns.a"),
            ("last = 0\n", "line 1, column 8: last must be a whole number of 1 or more"),
        ] {
            let bad = s.write("bad.toml", text)
            #expect(throws: ProfileError.self) { try DriftConfig(path: bad) }
            do { _ = try DriftConfig(path: bad) } catch { #expect(error.description.hasPrefix(bad + ": " + message), "\(error)") }
        }
    }
}
