import ColFormat
@testable import ColIngest
import Foundation
import TestSupport
import Testing

/// Reads a golden file, or rewrites it first when UPDATE_GOLDEN=1.
func golden(_ relative: String, _ actual: String) throws -> String {
    let path = Paths.fixtures + "/" + relative
    if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try actual.write(toFile: path, atomically: true, encoding: .utf8)
    }
    return try String(contentsOfFile: path, encoding: .utf8)
}

@Suite("JSON corpus")
struct JSONCorpusTests {
    static let parsing = Paths.corpus + "/json-test-suite/test_parsing"

    static var parsingFiles: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parsing)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    /// One line per file: "ok rows×columns types" or the located error.
    static func verdict(_ path: String, scratch s: Scratch) -> (String, IngestError?) {
        let out = s.file("out.col")
        do {
            let summary = try convertJSON(path, out)
            let r = try ColFileReader(path: out)
            try? FileManager.default.removeItem(atPath: out)
            return ("ok \(summary.rows)x\(summary.columns) " + r.schema.columns.map(\.type.name).joined(separator: ","), nil)
        } catch let e as IngestError {
            if case let .malformed(loc, message) = e {
                return ("error \(loc.line):\(loc.column) @\(loc.offset.map(String.init) ?? "?") \(message.text)", e)
            }
            return ("error \(e)", e)
        } catch {
            return ("unexpected \(error)", nil)
        }
    }

    @Test("JSONTestSuite: every y_ file is valid, every n_ file fails located with no output, no i_ file crashes; all as recorded")
    func parsingSuite() throws {
        let files = Self.parsingFiles
        #expect(files.count == 318)
        var text = ""
        for name in files {
            let s = Scratch()
            let (verdict, error) = Self.verdict(Self.parsing + "/" + name, scratch: s)
            text += "\(name) | \(verdict)\n"
            if name.hasPrefix("y_") {
                // Valid JSON: converted, or (a top-level scalar, validated first) refused as not a table.
                if let error {
                    guard case let .malformed(_, message) = error else { Issue.record("\(name): \(error)"); continue }
                    #expect(message.text.hasPrefix("not a table"), "\(name): \(message.text)")
                }
            } else if name.hasPrefix("n_") {
                guard case let .malformed(loc, message) = error else { Issue.record("\(name) was accepted: \(verdict)"); continue }
                #expect(loc.line >= 1 && loc.column >= 1 && loc.offset != nil, "\(name)")
                #expect(!message.text.hasPrefix("not a table"), "\(name): invalid JSON must get its syntax error")
            }
            #expect(s.entries.isEmpty, "\(name) left a file behind")
        }
        #expect(text == (try golden("corpus/json-verdicts.txt", text)))
    }

    /// The decisions documented in docs/JSON.md for JSONTestSuite's test_transform cases.
    @Test("test_transform cases follow the documented decisions", arguments: [
        ("number_1.0.json", "float64", "1.0"),
        ("number_1.000000000000000005.json", "float64", "1.0"),
        ("number_1e6.json", "float64", "1000000.0"),
        ("number_1e-999.json", "float64", "0.0"),
        ("number_1000000000000000.json", "int64", "1000000000000000"),
        ("number_9223372036854775807.json", "int64", "9223372036854775807"),
        ("number_-9223372036854775808.json", "int64", "-9223372036854775808"),
        ("number_9223372036854775808.json", "json", "9223372036854775808"),
        ("number_-9223372036854775809.json", "json", "-9223372036854775809"),
        ("number_10000000000000000999.json", "json", "10000000000000000999"),
        ("string_with_escaped_NULL.json", "string", "A\u{0}B"),
        ("object_same_key_different_values.json", "int64", "2"),
        ("object_same_key_same_value.json", "int64", "1"),
        ("object_same_key_unclear_values.json", "float64", "-0.0"),
    ])
    func transform(file: String, type: String, value: String) throws {
        let s = Scratch()
        let out = s.file("out.col")
        _ = try convertJSON(Paths.corpus + "/json-test-suite/test_transform/" + file, out)
        let r = try ColFileReader(path: out)
        #expect(r.schema.columns.count == 1)
        #expect(r.schema.columns.first?.type.name == type)
        #expect(try rows(of: out) == [[value]])
        if file.hasPrefix("object_same_key") {
            #expect(r.statistics.first?.ingestion?.duplicateKeys == 1)
        }
    }

    @Test("keys equal only under Unicode normalization stay two columns", arguments: ["object_key_nfc_nfd.json", "object_key_nfd_nfc.json"])
    func normalization(file: String) throws {
        let s = Scratch()
        let out = s.file("out.col")
        _ = try convertJSON(Paths.corpus + "/json-test-suite/test_transform/" + file, out)
        let r = try ColFileReader(path: out)
        let names = r.schema.columns.map { Array($0.name.utf8) }
        #expect(names.count == 2)
        #expect(Set(names) == [[0xC3, 0xA9], [0x65, 0xCC, 0x81]])
        #expect(r.statistics.first?.ingestion?.duplicateKeys == 0)
    }

    @Test("invalid code points: refused with their location, or replaced with --invalid-utf8 replace", arguments: [
        ("string_1_escaped_invalid_codepoint.json", "\u{FFFD}"),
        ("string_2_escaped_invalid_codepoints.json", "\u{FFFD}\u{FFFD}"),
        ("string_3_escaped_invalid_codepoints.json", "\u{FFFD}\u{FFFD}\u{FFFD}"),
        // An encoded surrogate (ED A0 80) has no valid prefix: each of its bytes becomes one U+FFFD (Unicode's "maximal subpart" practice).
        ("string_1_invalid_codepoint.json", String(repeating: "\u{FFFD}", count: 3)),
        ("string_2_invalid_codepoints.json", String(repeating: "\u{FFFD}", count: 6)),
        ("string_3_invalid_codepoints.json", String(repeating: "\u{FFFD}", count: 9)),
    ])
    func invalidCodePoints(file: String, replaced: String) throws {
        let s = Scratch()
        let input = Paths.corpus + "/json-test-suite/test_transform/" + file
        #expect {
            _ = try convertJSON(input, s.file("out.col"))
        } throws: { e in
            guard case let .malformed(loc, _) = e as? IngestError else { return false }
            return loc.line == 1 && loc.column == 3
        }
        var json = JSONOptions()
        json.invalidUTF8 = .replace
        _ = try convertJSON(input, s.file("out.col"), json: json)
        #expect(try rows(of: s.file("out.col")) == [[replaced]])
    }

    static let realFiles = ["cars.json", "earthquakes.json", "movies.json", "penguins.json", "political-contributions.json"]

    /// Rows, and each column's name, type, nullability and source path, pinned in Fixtures/corpus/json-real-schemas.txt.
    @Test("every real JSON file converts to the recorded columns and types")
    func realFiles() throws {
        var text = ""
        for name in Self.realFiles {
            let s = Scratch()
            let out = s.file("out.col")
            let summary = try convertJSON(Paths.corpus + "/real/vega-datasets/" + name, out)
            let r = try ColFileReader(path: out)
            text += "\(name): \(summary.rows) rows, \(r.schema.columns.count) columns, schema \(r.schema.fingerprint)\n"
            for c in r.schema.columns {
                text += "  \(c.name) | \(c.type.name) | \(c.nullable ? "nullable" : "required") | \(c.sourcePath)\n"
            }
        }
        #expect(text == (try golden("corpus/json-real-schemas.txt", text)))
    }

    @Test("movies.json: Title is sometimes a number, so the column is string and keeps the number's text")
    func moviesTitle() throws {
        let s = Scratch()
        let out = s.file("out.col")
        _ = try convertJSON(Paths.corpus + "/real/vega-datasets/movies.json", out)
        let r = try ColFileReader(path: out)
        let j = try #require(r.schema.columns.firstIndex { $0.name == "Title" })
        #expect(r.schema.columns[j].type == .string)
        let titles = try rows(of: out).map { $0[j] }
        #expect(titles.contains("1776"))
        let stats = try #require(r.statistics[j].ingestion)
        #expect(stats.parsedAs[Int(LogicalType.int64.rawValue)] > 0)
        #expect(stats.parsedAs[Int(LogicalType.string.rawValue)] > 0)
    }

    @Test("earthquakes.json is one top-level object: one row, nested metadata flattened, features kept as json")
    func earthquakes() throws {
        let s = Scratch()
        let out = s.file("out.col")
        let summary = try convertJSON(Paths.corpus + "/real/vega-datasets/earthquakes.json", out)
        #expect(summary.rows == 1)
        let r = try ColFileReader(path: out)
        let byName = Dictionary(uniqueKeysWithValues: r.schema.columns.map { ($0.name, $0) })
        #expect(byName["metadata.count"]?.type == .int64)
        #expect(byName["metadata.count"]?.sourcePath == "/metadata/count")
        #expect(byName["features"]?.type == .json)
        // The features array is kept whole: parse it back and count its elements.
        let j = try #require(r.schema.columns.firstIndex { $0.name == "features" })
        let text = try #require(try rows(of: out).first?[j])
        let features = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any]
        let count = try rows(of: out).first?[try #require(r.schema.columns.firstIndex { $0.name == "metadata.count" })]
        #expect(features?.count == count.flatMap { Int($0) })
    }
}
