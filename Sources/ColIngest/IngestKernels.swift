/// The ingest path's inner loops, one at a time, for the micro-benchmarks in
/// `bench/micro`. Not API: reachable only through `@_spi(Benchmarks) import ColIngest`.
@_spi(Benchmarks) public enum IngestKernels {
    /// Tokenizes every record of the CSV file at `path` (comma, double quote);
    /// returns the number of fields.
    public static func tokenizeCSV(path: String) throws(IngestError) -> Int {
        let tokenizer = CSVTokenizer(source: try ByteSource(path: path), dialect: CSVDialect(), maxFieldBytes: 1 << 24)
        var record = CSVRecord()
        var fields = 0
        while try tokenizer.next(&record) { fields += record.count }
        return fields
    }

    /// Validates and flattens every record of NDJSON text held in memory;
    /// returns the number of leaves. A syntax error ends the scan and is returned as nil.
    public static func scanNDJSON(_ text: [UInt8]) -> Int? {
        var scanner = JSONScanner(maxNesting: 64, flattenDepth: 0, replaceInvalidUTF8: false)
        var leaves = 0
        let ok = text.withUnsafeBufferPointer { buffer -> Bool in
            scanner.begin(buffer, at: 0, final: true)
            while true {
                scanner.skipWhitespace()
                if scanner.i >= buffer.count { return true }
                do { try scanner.parseRecord(allowValue: false) } catch { return false }
                leaves += scanner.entryNode.count
            }
        }
        return ok ? leaves : nil
    }

    /// Type inference: the candidate-type bits of each field, or-ed together.
    public static func classify(_ fields: [[UInt8]]) -> UInt8 {
        var bits: UInt8 = 0
        for f in fields { bits |= f.withUnsafeBytes { ValueParser.classify($0) } }
        return bits
    }

    /// Parses each field as a double; returns the sum (nil fields count 0).
    public static func parseDoubles(_ fields: [[UInt8]]) -> Double {
        var sum = 0.0
        for f in fields { sum += f.withUnsafeBytes { ValueParser.parseDouble($0) } ?? 0 }
        return sum
    }
}
