import ColFormat
@_spi(Benchmarks) @testable import ColIngest
import Foundation
import TestSupport
import Testing

/// The parallel NDJSON reader (JSONRecordReader+Parallel.swift) against the serial one,
/// the reference: whole conversions on several threads, with slices so small that
/// records and their line breaks straddle them everywhere, must give the same data
/// blocks byte for byte, the same columns in the same order, chunks, statistics,
/// errors with their lines and columns, rejects, warnings in order, and decisions.
@Suite("JSON parallel reader")
struct JSONParallelReaderTests {
    typealias Outcome = CSVFastPathTests.Outcome

    struct Setup {
        var chunkRows = 65_536
        var chunkBytes = 24 << 20
        var onError = ErrorPolicy.fail
        var maxColumns = JSONOptions().maxColumns
        var maxRecordBytes = JSONOptions().maxRecordBytes
        var maxDepth = 0
        var invalidUTF8 = InvalidUTF8Policy.fail
        var threads = 1
        var sliceBytes = 1 << 20
    }

    static func convert(_ input: String, _ s: Scratch, _ setup: Setup) -> Outcome {
        var json = JSONOptions()
        json.maxColumns = setup.maxColumns
        json.maxRecordBytes = setup.maxRecordBytes
        json.maxDepth = setup.maxDepth
        json.invalidUTF8 = setup.invalidUTF8
        json.emptyIsTable = true
        json.readThreads = setup.threads
        json.sliceBytes = setup.sliceBytes
        var options = conversionOptions(chunkRows: setup.chunkRows, onError: setup.onError, rejects: nil)
        options.chunkBytes = setup.chunkBytes
        let warnings = CSVFastPathTests.Warnings()
        options.warning = { warnings.add($0) }
        let name = "json-\(setup.threads)-\(setup.sliceBytes)"
        if setup.onError != .fail { options.rejectsPath = s.file(name + ".rejects.csv") }
        let output = s.file(name + ".col")
        return CSVFastPathTests.outcome(output: output, rejectsPath: options.rejectsPath, warnings: warnings, withDecisions: true) {
            try JSONConverter.convert(input: input, output: output, json: json, options: options)
        }
    }

    static func compare(_ input: String, _ s: Scratch, _ setup: Setup, threads: [Int], slices: [Int], label: String) -> Bool {
        var serial = setup
        serial.threads = 1
        let reference = convert(input, s, serial)
        for t in threads {
            for size in slices {
                var parallel = setup
                parallel.threads = t
                parallel.sliceBytes = size
                let outcome = convert(input, s, parallel)
                #expect(outcome == reference, "\(label), \(t) threads, slices of \(size) bytes:\n\(CSVFastPathTests.difference(outcome, reference))")
                if outcome != reference { return false }
            }
        }
        return true
    }

    /// One random JSON value of every kind the reader types: numbers of each form, strings
    /// with escapes, dates, timestamps, bools, nulls, arrays and nested objects.
    static func value(_ rng: inout SeededRandom, depth: Int) -> String {
        switch Int.random(in: 0..<16, using: &rng) {
        case 0: return "null"
        case 1: return Bool.random(using: &rng) ? "true" : "false"
        case 2, 3: return "\(Int.random(in: -1_000_000...1_000_000, using: &rng))"
        case 4: return "\(Double.random(in: -1e6...1e6, using: &rng))"
        case 5: return ["1e400", "9223372036854775808", "-0", "1.5E-3", "0"].randomElement(using: &rng) ?? "0"
        case 6: return "\"2026-11-\(String(format: "%02d", Int.random(in: 1...28, using: &rng)))\""
        case 7: return "\"2026-11-29T0\(Int.random(in: 0...9, using: &rng)):30:00Z\""
        case 8: return "[1, \"a\", {\"x\": null}]"
        case 9 where depth < 2:
            var fields: [String] = []
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                fields.append("\"\(["p", "q", "r"].randomElement(using: &rng) ?? "p")\": \(value(&rng, depth: depth + 1))")
            }
            return "{" + fields.joined(separator: ", ") + "}"
        case 10: return "\"a \\\"quoted\\\" \\\\ text\\n with \\u00e9 and \\ud83d\\ude00\""
        case 11: return "\"\""
        default: return "\"w\(Int.random(in: 0..<50, using: &rng))\""
        }
    }

    /// Random NDJSON: late keys, repeated keys, keys that flatten to the same name, nested
    /// objects, blank lines, CRLF, records over several lines, and every kind of bad record.
    static func randomNDJSON(_ rng: inout SeededRandom, records: Int) -> String {
        var keys = ["id", "name", "when", "geo", "a.b"]
        var out = ""
        for n in 0..<records {
            if n == records / 3 { keys.append("late") }
            if n == records / 2 { keys.append("later.x") }
            var fields: [String] = []
            for key in keys where Int.random(in: 0..<4, using: &rng) != 0 {
                fields.append("\"\(key)\": \(value(&rng, depth: 0))")
            }
            if Int.random(in: 0..<20, using: &rng) == 0 { fields.append("\"id\": 7") }
            if Int.random(in: 0..<25, using: &rng) == 0 { fields.append("\"a\": {\"b\": 1}") }
            if Int.random(in: 0..<40, using: &rng) == 0 { fields.append("\"k\(Int.random(in: 0..<30, using: &rng))\": 1") }
            var record = "{" + fields.joined(separator: ", ") + "}"
            switch Int.random(in: 0..<60, using: &rng) {
            case 0: record = String(record.dropLast())  // unclosed object
            case 1: record += " x"  // garbage after the record
            case 2: record = "{\"name\": \"raw\nbreak\"}"  // a line break in a string
            case 3: record = "{\"bad\": \"\\ud800\"}"  // a lone surrogate
            case 4: record = "[1, 2]"  // not an object
            case 5: record = "{\n  \"id\": 1,\n  \"name\": \"pretty\"\n}"  // valid, over several lines
            case 6: record = "  not json at all"
            case 7: record = "{}"
            case 8: record = "\"\\u00\""
            default: break
            }
            out += record
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: out += "\r\n"
            case 1: out += "\n\n"
            case 2: out += " \t\n"
            default: out += "\n"
            }
        }
        if Bool.random(using: &rng) { out.removeLast() }
        return out
    }

    @Test("random NDJSON converts the same on 2, 3 and 4 threads with slices of 1 byte to 1 MiB")
    func randomConversions() throws {
        var rng = SeededRandom(seed: 20261129)
        var rows = 0
        var errors = 0
        for round in 0..<60 {
            let s = Scratch()
            let text = Self.randomNDJSON(&rng, records: Int.random(in: 1...120, using: &rng))
            let input = s.write("in.ndjson", text)
            var setup = Setup()
            setup.onError = [.fail, .skip, .warn][round % 3]
            setup.chunkRows = [65_536, 7, 1, 33][round % 4]
            if round % 5 == 2 { setup.chunkBytes = 300 }
            if round % 11 == 4 { setup.maxColumns = 9 }
            if round % 13 == 6 { setup.maxRecordBytes = 40 }
            if round % 9 == 5 { setup.maxDepth = 1 }
            if round % 8 == 7 { setup.invalidUTF8 = .replace }
            let label = "round \(round): \(text.debugDescription)"
            guard Self.compare(input, s, setup, threads: [2, 3, 4], slices: [1, 2, 5, 16, 61, 1 << 20], label: label) else { return }
            let outcome = Self.convert(input, s, setup)
            rows += outcome.rows.count
            if outcome.error != nil || outcome.rejects?.isEmpty == false { errors += 1 }
        }
        #expect(rows > 1_000)
        #expect(errors > 20)
    }

    @Test("records straddling tiny slices on 2, 4 and 7 threads: the data blocks are byte-identical to one thread's")
    func tinySlices() throws {
        let s = Scratch()
        var text = ""
        for i in 0..<4_000 {
            text += "{\"id\": \(i), \"body\": \"line \(i) with \\\"quotes\\\", commas, and \\n escapes\", \"score\": \(Double(i) / 7)"
            if i >= 1_500 { text += ", \"late\": {\"x\": \(i % 3 == 0 ? "null" : "\"v\(i)\"")}" }
            text += i % 3 == 0 ? "}\r\n" : "}\n"
        }
        let input = s.write("long.ndjson", text)
        var setup = Setup()
        setup.chunkRows = 700
        #expect(Self.compare(input, s, setup, threads: [2, 4, 7], slices: [1, 7, 64, 4093], label: "long records"))
        let reference = Self.convert(input, s, setup)
        #expect(reference.error == nil)
        #expect(reference.rows.count == 4_000)
        #expect(reference.chunkRows.count == 6)
        #expect(reference.schema?.columns.map(\.name) == ["id", "body", "score", "late.x"])
    }

    @Test("an error deep in a later slice is located as one thread locates it")
    func errorLocation() throws {
        let s = Scratch()
        var text = ""
        for i in 0..<2_000 { text += i == 1_733 ? "{\"a\": 1, \"b\": tru}\n" : "{\"a\": \(i), \"b\": true}\n" }
        let input = s.write("bad.ndjson", text)
        var setup = Setup()
        setup.threads = 4
        setup.sliceBytes = 1_000
        let outcome = Self.convert(input, s, setup)
        // Line 1,734's record; the literal `tru` ends at column 18.
        #expect(outcome.error == "\(input):1734:18 (byte 38766): invalid literal: expected 'true'", "\(outcome.error ?? "no error")")
        #expect(Self.compare(input, s, setup, threads: [4], slices: [1_000], label: "one bad record, fail"))
        setup.onError = .warn
        let warned = Self.convert(input, s, setup)
        #expect(warned.warnings.count == 1)
        #expect(warned.rows.count == 1_999)
        #expect(Self.compare(input, s, setup, threads: [2, 4], slices: [1_000, 33], label: "one bad record"))
    }

    @Test("every NDJSON and JSON file of the corpus converts the same on four threads with small slices")
    func corpus() throws {
        let files = (FileManager.default.enumerator(atPath: Paths.corpus)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".json") || $0.hasSuffix(".ndjson") || $0.hasSuffix(".jsonl") }.sorted()
        #expect(files.count > 300)
        for file in files {
            let path = Paths.corpus + "/" + file
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil, size < 1 << 22 else { continue }
            let s = Scratch()
            var setup = Setup()
            setup.chunkRows = 100
            setup.onError = .skip
            _ = Self.compare(path, s, setup, threads: [4], slices: [17, 4096], label: file)
        }
    }
}
