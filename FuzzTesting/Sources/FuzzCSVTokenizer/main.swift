// The CSV tokenizer on bytes in memory, with the error recovery of
// `--on-error skip`: it must end on any input, and every record it returns
// must be well formed (as many columns as fields, each at least 1, lines
// never going back, no field past the limit). The same input cut at the
// parallel reader's seams (CSVBlockSplitter) into slices tokenized one by one
// must give exactly the same records and errors.
// The first byte picks the delimiter, whether there is a quote character, and the block size.

@_spi(Benchmarks) import ColIngest
import FuzzSupport

@_cdecl("FuzzCSVTokenizer_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data, count > 0 else { return 0 }
        return fuzz(data, count)
    }
}

let delimiters: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: ";"), UInt8(ascii: "|")]

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: count - 1))
    let quote: UInt8? = control & 4 == 0 ? UInt8(ascii: "\"") : UInt8(ascii: "'")
    let events = IngestKernels.tokenizeCSV(bytes, delimiter: delimiters[Int(control & 3)], quote: quote, maxFieldBytes: 1 << 12)
    var line = 1
    for event in events {
        guard case let .record(r) = event else { continue }
        guard r.line >= line, !r.fields.isEmpty, r.fields.count == r.quoted.count, r.fields.count == r.columns.count,
              r.columns.allSatisfy({ $0 >= 1 }), r.fields.allSatisfy({ $0.count <= 1 << 12 })
        else { fatalError("a malformed record image: \(r)") }
        line = r.line
    }
    // Tiny blocks, but at most about 16 slices, so a long input does not slow the fuzzer to a crawl.
    let blockSize = max([1, 2, 3, 7, 64, 4096][Int(control >> 3) % 6], bytes.count / 16)
    let split = IngestKernels.tokenizeCSVInParallel(bytes, delimiter: delimiters[Int(control & 3)], quote: quote, maxFieldBytes: 1 << 12,
                                                    blockSize: blockSize, onAllCores: false)
    guard split.events == events else { fatalError("the split tokenized differently at block size \(blockSize)") }
    return 0
}
