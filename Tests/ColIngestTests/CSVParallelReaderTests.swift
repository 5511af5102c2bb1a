import ColFormat
@_spi(Benchmarks) @testable import ColIngest
import Foundation
import TestSupport
import Testing

/// The parallel CSV reader (CSVParallelReader.swift) against the serial one, the
/// reference: whole conversions on several threads, with slices so small that
/// records, quoted line breaks and CRLFs straddle them everywhere, must give the
/// same data blocks byte for byte, the same chunks, statistics, errors with their
/// lines and columns, rejects, warnings in order, and summary.
@Suite("CSV parallel reader")
struct CSVParallelReaderTests {
    typealias Setup = CSVFastPathTests.Setup

    static func compare(_ input: String, _ s: Scratch, _ setup: Setup, fast: Bool = true, threads: [Int], slices: [Int], label: String) -> Bool {
        var serial = setup
        serial.threads = 1
        let reference = CSVFastPathTests.convert(input, s, serial, fast: fast)
        for t in threads {
            for size in slices {
                var parallel = setup
                parallel.threads = t
                parallel.sliceBytes = size
                let outcome = CSVFastPathTests.convert(input, s, parallel, fast: fast)
                #expect(outcome == reference, "\(label), \(t) threads, slices of \(size) bytes:\n\(CSVFastPathTests.difference(outcome, reference))")
                if outcome != reference { return false }
            }
        }
        return true
    }

    @Test("random CSV converts the same on 2, 3 and 4 threads with slices of 1 byte to 1 MiB")
    func randomConversions() throws {
        var rng = SeededRandom(seed: 20261129)
        var rows = 0
        var errors = 0
        for round in 0..<120 {
            let s = Scratch()
            var (bytes, setup) = CSVFastPathTests.randomRound(round, &rng)
            let input = s.write("in.csv", bytes: bytes)
            // Every fourth round through the reference tokenizer only; some with a field limit
            // that moves the error recovery (the reader then reads on with one tokenizer).
            let fast = round % 4 != 1
            if round % 7 == 3 { setup.maxFieldBytes = 8 }
            let label = "round \(round): \(String(decoding: bytes, as: UTF8.self).debugDescription)"
            guard Self.compare(input, s, setup, fast: fast, threads: [2, 3, 4], slices: [1, 2, 3, 5, 8, 13, 64, 1 << 20],
                                     label: label) else { return }
            let outcome = CSVFastPathTests.convert(input, s, setup, fast: fast)
            rows += outcome.rows.count
            if outcome.error != nil || outcome.rejects?.isEmpty == false { errors += 1 }
        }
        #expect(rows > 1_500)
        #expect(errors > 20)
    }

    @Test("quoted line breaks straddling tiny slices: the data blocks are byte-identical to one thread's")
    func tinySlices() throws {
        let s = Scratch()
        let text = CSVFastPathTests.longQuotedText(records: 3_000, longest: 97, crlfEvery: 3, header: "id,body,score\r\n")
        let input = s.write("long.csv", text)
        let setup = Setup(delimiter: 0x2C, quote: 0x22, header: true, blockSize: 4096, chunkRows: 700, chunkBytes: 24 << 20,
                          onError: .fail, nullValues: [], schema: [:], invalidUTF8: .fail)
        #expect(Self.compare(input, s, setup, threads: [2, 4, 7], slices: [1, 7, 64, 4093], label: "long quoted text"))
        var serial = setup
        serial.threads = 1
        let reference = CSVFastPathTests.convert(input, s, serial, fast: true)
        #expect(reference.error == nil)
        #expect(reference.rows.count == 3_000)
        #expect(reference.chunkRows.count == 5)
        #expect(reference.dataBlocks.count > 10_000)
    }

    @Test("an error deep in a later slice is located as one thread locates it")
    func errorLocation() throws {
        let s = Scratch()
        var text = "a,b\n"
        for i in 0..<2_000 { text += i == 1_733 ? "\"x\ny\",2,3\n" : "\(i),\"q\nr\"\n" }
        let input = s.write("bad.csv", text)
        var setup = Setup(delimiter: 0x2C, quote: 0x22, header: true, blockSize: 1 << 20, chunkRows: 65536, chunkBytes: 24 << 20,
                          onError: .fail, nullValues: [], schema: [:], invalidUTF8: .fail)
        setup.threads = 4
        setup.sliceBytes = 1_000
        let outcome = CSVFastPathTests.convert(input, s, setup, fast: true)
        // Line 2 + 2 × 1,733 is where the record starts; its third field starts at column 6 (of the line after).
        #expect(outcome.error == "\(input):3468:6: expected 2 fields, found 3", "\(outcome.error ?? "no error")")
        setup.onError = .warn
        let warned = CSVFastPathTests.convert(input, s, setup, fast: true)
        #expect(warned.warnings.count == 1)
        #expect(warned.rows.count == 1_999)
        #expect(Self.compare(input, s, setup, threads: [2, 4], slices: [1_000, 33], label: "one bad record"))
    }

    @Test("every CSV and TSV of the corpus converts the same on four threads with small slices")
    func corpus() throws {
        let files = (FileManager.default.enumerator(atPath: Paths.corpus)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }.sorted()
        #expect(files.count > 50)
        for file in files {
            let path = Paths.corpus + "/" + file
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil, size < 1 << 22 else { continue }
            let s = Scratch()
            let setup = Setup(delimiter: file.hasSuffix(".tsv") ? 0x09 : 0x2C, quote: 0x22, header: true, blockSize: 1 << 20, chunkRows: 100,
                              chunkBytes: 24 << 20, onError: .skip, nullValues: [], schema: [:], invalidUTF8: .fail)
            _ = Self.compare(path, s, setup, threads: [4], slices: [17, 4096], label: file)
        }
    }
}
