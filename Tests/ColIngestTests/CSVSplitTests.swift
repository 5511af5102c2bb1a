@_spi(Benchmarks) import ColIngest
import Foundation
import TestSupport
import Testing

/// The parallel split (CSVBlockSplitter.swift) against the scalar tokenizer, the
/// reference: the same records, the same errors, the same lines and columns, for
/// every block size, so every record and quoted line break straddles a block
/// boundary somewhere.
@Suite("CSV block split")
struct CSVSplitTests {
    /// Random CSV made of the pieces that decide where records end.
    static func randomCSV(_ rng: inout SeededRandom, delimiter: UInt8) -> [UInt8] {
        let d = Character(UnicodeScalar(delimiter))
        let pieces: [String] = ["a", "bc", "\(d)", "\(d)", "\"", "\"\"", "\n", "\r\n", "\r", "\"x\(d)\ny\"", "\"q\"\"r\"",
                                "\"\r\n\"", "é", " ", "\"\"\"", "\"a\"b", "z\"", "\n\n", String(repeating: "w", count: 40)]
        var out: [UInt8] = []
        if rng.chance(0.1) { out += [0xEF, 0xBB, 0xBF] }
        for _ in 0..<rng.int(0...120) { out += Array(pieces[rng.int(pieces.count)].utf8) }
        return out
    }

    @Test("random CSV: the parallel split gives the scalar tokenizer's events for every block size")
    func randomInputs() {
        var rng = SeededRandom(seed: 20261128)
        var slicesSeen = 0
        for round in 0..<400 {
            let delimiter: UInt8 = round % 3 == 0 ? 0x09 : 0x2C
            let quote: UInt8? = round % 7 == 6 ? nil : 0x22
            let input = Self.randomCSV(&rng, delimiter: delimiter)
            let reference = IngestKernels.tokenizeCSV(input, delimiter: delimiter, quote: quote)
            for blockSize in [1, 2, 3, 4, 5, 7, 8, 11, 13, 16, 31, 64, 1 << 20] {
                let split = IngestKernels.tokenizeCSVInParallel(input, delimiter: delimiter, quote: quote, blockSize: blockSize)
                #expect(split.events == reference, "round \(round), block size \(blockSize): \(String(decoding: input, as: UTF8.self).debugDescription)")
                #expect(!split.fellBack, "round \(round), block size \(blockSize): a seam was wrong")
                slicesSeen += split.slices
                if split.events != reference { return }
            }
        }
        #expect(slicesSeen > 20_000)
    }

    @Test("a field longer than the limit moves the error recovery; the slice after it is tokenized again")
    func longFieldFallsBack() {
        // The field over the limit is cut off mid-quote: recovery skips to the next line break,
        // inside the quoted field, which the boundary states do not model. There the quote that
        // closed the long field opens another, which runs over "1,2" to "3,".
        let text = "a,b\n\"" + String(repeating: "x", count: 40) + "\n\"a,b\n1,2\n3,\"4\n5\"\n"
        let input = Array(text.utf8)
        let reference = IngestKernels.tokenizeCSV(input, maxFieldBytes: 16)
        #expect(reference.contains { if case .error = $0 { true } else { false } })
        var fellBack = false
        for blockSize in 1...input.count {
            let split = IngestKernels.tokenizeCSVInParallel(input, maxFieldBytes: 16, blockSize: blockSize)
            #expect(split.events == reference, "block size \(blockSize)")
            fellBack = fellBack || split.fellBack
        }
        #expect(fellBack)
    }

    @Test("every CSV and TSV of the corpus splits into the scalar tokenizer's records")
    func corpus() throws {
        let files = (FileManager.default.enumerator(atPath: Paths.corpus)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }
        #expect(files.count > 50)
        for file in files {
            let input = try readAll(Paths.corpus + "/" + file)
            guard input.count < 1 << 22 else { continue }
            let delimiter: UInt8 = file.hasSuffix(".tsv") ? 0x09 : 0x2C
            let reference = IngestKernels.tokenizeCSV(input, delimiter: delimiter)
            for blockSize in [17, 256, 4096] {
                let split = IngestKernels.tokenizeCSVInParallel(input, delimiter: delimiter, blockSize: blockSize)
                #expect(split.events == reference, "\(file), block size \(blockSize)")
            }
        }
    }
}

@Suite("CSV tokenizer: source errors")
struct CSVSourceErrorTests {
    @Test("UTF-16 that ends inside a character ends the input under --on-error skip, instead of rereading the last block forever")
    func utf16EndsMidCharacter() {
        // Found by FuzzCSVTokenizer (FailCases/FuzzCSVTokenizer): a UTF-16BE byte-order mark, a line
        // break, then an unpaired high surrogate and half a code unit at the end.
        let input: [UInt8] = [0xFE, 0xFF, 0x00, 0xD8, 0x61, 0x00, 0x2C, 0x31, 0x00, 0x00, 0x00, 0x2C, 0x00, 0x0A,
                              0xFF, 0x00, 0xD8, 0x02, 0xA4]
        let events = IngestKernels.tokenizeCSV(input)
        let errors = events.filter { if case .error = $0 { true } else { false } }
        #expect(events.count < 10, "\(events.count) events")
        #expect(errors.count >= 1 && errors.count <= 2)
        #expect(errors.contains { if case let .error(m) = $0 { m.contains("UTF-16") } else { false } })
    }
}
