import ColBytes
import ColFormat
@_spi(Benchmarks) @testable import ColIngest
import Foundation
import TestSupport
import Testing

/// The tokenizer's fast path (`CSVTokenizer.takeRecords`) against the reference
/// `next`: whole conversions of random CSV, with small reads so records straddle
/// them, must give the same data blocks, schema, chunk boundaries, ingestion
/// statistics, errors, rejects and summary.
@Suite("CSV fast path")
struct CSVFastPathTests {
    struct Outcome: Equatable {
        var error: String?
        var dataBlocks: [UInt8] = []
        var schema: Schema?
        var chunkRows: [UInt32] = []
        var ingestion: [IngestionStatistics?] = []
        var rows: [[String?]] = []
        var rejects: String?
        var summary: String?
        var warnings: [String] = []
    }

    /// What differs between two outcomes, for a failure message.
    static func difference(_ a: Outcome, _ b: Outcome) -> String {
        var out: [String] = []
        if a.error != b.error { out.append("error: \(a.error ?? "none") | \(b.error ?? "none")") }
        if a.rows != b.rows { out.append("rows: \(a.rows) | \(b.rows)") }
        if a.chunkRows != b.chunkRows { out.append("chunks: \(a.chunkRows) | \(b.chunkRows)") }
        if a.ingestion != b.ingestion { out.append("ingestion: \(a.ingestion) | \(b.ingestion)") }
        if a.rejects != b.rejects { out.append("rejects: \((a.rejects ?? "").debugDescription) | \((b.rejects ?? "").debugDescription)") }
        if a.summary != b.summary { out.append("summary: \(a.summary ?? "") | \(b.summary ?? "")") }
        if a.warnings != b.warnings { out.append("warnings: \(a.warnings) | \(b.warnings)") }
        if a.schema != b.schema { out.append("schema differs") }
        if a.dataBlocks != b.dataBlocks { out.append("data blocks differ") }
        return out.joined(separator: "\n")
    }

    struct Setup {
        var delimiter: UInt8
        var quote: UInt8?
        var header: Bool
        var blockSize: Int
        var chunkRows: Int
        var chunkBytes: Int
        var onError: ErrorPolicy
        var nullValues: [String]
        var schema: [String: LogicalType]
        var invalidUTF8: InvalidUTF8Policy
        /// Threads of the parallel reader (1: the serial reader), and its slice size.
        var threads = 1
        var sliceBytes = 1 << 20
        var maxFieldBytes = 64 << 20
    }

    static func convert(_ input: String, _ s: Scratch, _ setup: Setup, fast: Bool) -> Outcome {
        var csv = CSVOptions()
        csv.delimiter = setup.delimiter
        csv.quote = .some(setup.quote)
        csv.header = setup.header
        csv.nullValues = setup.nullValues
        csv.schemaOverrides = setup.schema
        csv.invalidUTF8 = setup.invalidUTF8
        csv.fastPath = fast
        csv.blockSize = setup.blockSize
        csv.readThreads = setup.threads
        csv.maxFieldBytes = setup.maxFieldBytes
        csv.sliceBytes = setup.sliceBytes
        var options = conversionOptions(chunkRows: setup.chunkRows, onError: setup.onError, rejects: nil)
        options.chunkBytes = setup.chunkBytes
        let warnings = Warnings()
        options.warning = { warnings.add($0) }
        let name = (fast ? "fast" : "reference") + "-\(setup.threads)-\(setup.sliceBytes)"
        if setup.onError != .fail { options.rejectsPath = s.file(name + ".rejects.csv") }
        let output = s.file(name + ".col")
        return outcome(output: output, rejectsPath: options.rejectsPath, warnings: warnings, withDecisions: false) {
            try CSVConverter.convert(input: input, output: output, csv: csv, options: options)
        }
    }

    /// Runs `convert`, which writes `output`, and reads what it wrote into an outcome: the data
    /// blocks, schema, chunks, statistics and rows, or the error; the rejects and the warnings.
    /// `withDecisions` adds the provenance's decisions to the summary.
    static func outcome(output: String, rejectsPath: String?, warnings: Warnings, withDecisions: Bool,
                        _ convert: () throws -> ConversionSummary) -> Outcome {
        var outcome = Outcome()
        do {
            let summary = try convert()
            let reader = try ColFileReader(path: output)
            outcome.summary = "\(summary.rows) rows, \(summary.rejectedRecords) rejected"
            if withDecisions {
                outcome.summary? += "\n" + reader.provenance.decisions.map { "\($0.subject): \($0.decision)" }.joined(separator: "\n")
            }
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: output)))
            outcome.dataBlocks = Array(bytes[0..<reader.footerOffset])
            outcome.schema = reader.schema
            outcome.chunkRows = reader.directory.chunkRowCounts
            outcome.ingestion = reader.statistics.map(\.ingestion)
            outcome.rows = try rows(of: output)
        } catch {
            outcome.error = "\(error)"
        }
        if let rejectsPath, let text = try? String(contentsOfFile: rejectsPath, encoding: .utf8) { outcome.rejects = text }
        outcome.warnings = warnings.all
        return outcome
    }

    /// Warnings in the order they came.
    final class Warnings: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ w: String) { lock.withLock { list.append(w) } }
        var all: [String] { lock.withLock { list } }
    }

    /// Mostly well-formed records, the kind the fast path takes, with the cases it must hand back.
    static func plainCSV(_ rng: inout SeededRandom, delimiter: UInt8, quote: UInt8?, width: Int) -> [UInt8] {
        let d = delimiter
        var out: [UInt8] = []
        if rng.chance(0.1) { out += [0xEF, 0xBB, 0xBF] }
        let ends: [[UInt8]] = [[0x0A], [0x0D, 0x0A], [0x0D]]
        let end = ends[rng.int(ends.count)]
        for k in 0..<width {
            if k > 0 { out.append(d) }
            out += Array("c\(k)".utf8)
        }
        out += end
        for _ in 0..<rng.int(0...60) {
            var count = width
            if rng.chance(0.04) { count += rng.chance(0.5) ? 1 : -1 }
            for k in 0..<max(count, 1) {
                if k > 0 { out.append(d) }
                switch rng.int(14) {
                case 0: break
                case 1: out += Array(String(rng.int(-1000...1000)).utf8)
                case 2: out += Array("\(rng.int(0...99)).\(rng.int(0...99))".utf8)
                case 3: out += Array("NA".utf8)
                case 4: out += Array("2024-0\(rng.int(1...9))-1\(rng.int(0...9))".utf8)
                case 5: out += Array("true".utf8)
                case 6: out += Array("héllo wörld".utf8)
                case 7 where quote != nil:
                    let q = quote ?? 0
                    let inner: [[UInt8]] = [Array("x\(Character(UnicodeScalar(d)))y".utf8), [q, q], [0x0A], [0x0D, 0x0A], [0x0D],
                                            Array("text".utf8), []]
                    out.append(q)
                    for _ in 0..<rng.int(0...4) { out += inner[rng.int(inner.count)] }
                    out.append(q)
                case 8 where rng.chance(0.1): out.append(0xFF)
                case 9: out += [UInt8](repeating: UInt8(ascii: "w"), count: rng.int(0...40))
                case 10 where quote != nil && rng.chance(0.1): out += [quote ?? 0, 0x61, quote ?? 0, 0x62]
                default: out += Array("v\(rng.int(0...9))".utf8)
                }
            }
            if rng.chance(0.03) { out += end }
            out += rng.chance(0.05) ? ends[rng.int(ends.count)] : end
        }
        if rng.chance(0.5), let last = out.last, last == 0x0A || last == 0x0D { out.removeLast() }
        return out
    }

    /// Round `round` of a random conversion test: the CSV (mostly plain records, every fourth
    /// round the split test's pieces) and a setup that varies the dialect, header, read size,
    /// chunk limits, error policy, null tokens, a --schema type and the UTF-8 policy with the round.
    static func randomRound(_ round: Int, _ rng: inout SeededRandom) -> (bytes: [UInt8], setup: Setup) {
        let delimiter: UInt8 = round % 3 == 0 ? 0x09 : 0x2C
        let quote: UInt8? = round % 9 == 8 ? nil : 0x22
        let width = rng.int(1...5)
        let bytes = round % 4 == 3 ? CSVSplitTests.randomCSV(&rng, delimiter: delimiter)
            : plainCSV(&rng, delimiter: delimiter, quote: quote, width: width)
        let policies: [ErrorPolicy] = [.fail, .skip, .warn]
        let setup = Setup(delimiter: delimiter, quote: quote, header: round % 5 != 4, blockSize: [16, 17, 29, 64, 1 << 20][round % 5],
                          chunkRows: [7, 3, 65536][round % 3], chunkBytes: round % 6 == 5 ? 200 : 24 << 20,
                          onError: policies[round % 3], nullValues: round % 2 == 0 ? ["NA"] : [],
                          schema: round % 8 == 7 && width > 1 ? ["c1": .int64] : [:],
                          invalidUTF8: round % 10 == 9 ? .replace : .fail)
        return (bytes, setup)
    }

    @Test("random CSV converts the same through the fast path and the reference, for every read size")
    func randomConversions() throws {
        var rng = SeededRandom(seed: 20261128_7)
        var plainRows = 0
        for round in 0..<160 {
            let s = Scratch()
            let (bytes, setup) = Self.randomRound(round, &rng)
            let input = s.write("in.csv", bytes: bytes)
            let reference = Self.convert(input, s, setup, fast: false)
            let fast = Self.convert(input, s, setup, fast: true)
            #expect(fast == reference, "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)\n\(Self.difference(fast, reference))")
            if fast != reference { return }
            plainRows += reference.rows.count
        }
        #expect(plainRows > 2_000)
    }

    /// The benchmark's kind of text: `records` rows of an id, quoted free text with commas, doubled
    /// quotes, LF and CRLF inside and a tail of up to `longest` bytes, and a double; records end
    /// in LF or CRLF in turn (every `crlfEvery`-th one in LF).
    static func longQuotedText(records: Int, longest: Int, crlfEvery: Int, header: String = "id,body,score\n") -> String {
        var text = header
        for i in 0..<records {
            let body = "free text \(i), with \"\"quotes\"\",\nline breaks\r\nand é" + String(repeating: "z", count: i % longest)
            text += "\(i),\"\(body)\",\(Double(i) / 7)\(i % crlfEvery == 0 ? "\n" : "\r\n")"
        }
        return text
    }

    @Test("the fast path takes the plain records: the benchmark's kind of text converts the same with it")
    func longQuotedText() throws {
        let s = Scratch()
        let input = s.write("long.csv", Self.longQuotedText(records: 5_000, longest: 200, crlfEvery: 2))
        let setup = Setup(delimiter: 0x2C, quote: 0x22, header: true, blockSize: 4096, chunkRows: 1_000, chunkBytes: 24 << 20,
                          onError: .fail, nullValues: [], schema: [:], invalidUTF8: .fail)
        let reference = Self.convert(input, s, setup, fast: false)
        #expect(reference.error == nil)
        #expect(reference.rows.count == 5_000)
        #expect(Self.convert(input, s, setup, fast: true) == reference)
        // Nearly every record takes the fast path: only those that straddle a 1 MiB read do not.
        let read = try IngestKernels.readCSVColumns(path: input, chunkRows: 1_000)
        #expect(read.records == 5_000)
        #expect(read.fast >= 4_990, "\(read.fast) of \(read.records) records took the fast path")
    }

    @Test("UTF-8 validation: the word-at-a-time check agrees with the byte-at-a-time one and with the standard library")
    func utf8Validation() {
        var rng = SeededRandom(seed: 88)
        let pieces: [[UInt8]] = [Array("plain ascii text".utf8), Array("é".utf8), Array("€".utf8), Array("𝄞".utf8),
                                 [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80], [0xC3]]
        var invalid = 0
        for _ in 0..<3_000 {
            var bytes: [UInt8] = []
            for _ in 0..<rng.int(0...12) { bytes += pieces[rng.int(pieces.count)] }
            let generic = firstInvalidUTF8(bytes[...])
            let words = bytes.withUnsafeBytes { firstInvalidUTF8($0) }
            #expect(generic == words, "\(bytes)")
            #expect((generic == nil) == (String(validating: bytes, as: UTF8.self) != nil), "\(bytes)")
            if generic != nil { invalid += 1 }
        }
        #expect(invalid > 1_000)
    }
}
