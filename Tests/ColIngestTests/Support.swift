import ColFormat
import ColCLI
import ColIngest
import Foundation
import TestSupport



/// Every row of a .col file as canonical text (nil for null).
func rows(of path: String) throws -> [[String?]] {
    let r = try ColFileReader(path: path)
    var out: [[String?]] = []
    for c in 0..<r.directory.chunkCount {
        let cols = try (0..<r.schema.columns.count).map { try r.readColumn(chunk: c, column: $0) }
        for i in 0..<Int(r.directory.chunkRowCounts[c]) {
            out.append(cols.map { v in
                guard v.type != .null, v.isValid(i) else { return nil }
                var b: [UInt8] = []
                v.appendCanonicalText(row: i, to: &b)
                return String(decoding: b, as: UTF8.self)
            })
        }
    }
    return out
}

func conversionOptions(chunkRows: Int, onError: ErrorPolicy, rejects: String?) -> ConversionOptions {
    var o = ConversionOptions()
    o.chunkRows = chunkRows
    o.onError = onError
    o.rejectsPath = rejects
    return o
}

func convert(_ input: String, _ output: String, csv: CSVOptions = CSVOptions(), chunkRows: Int = 65536,
             onError: ErrorPolicy = .fail, rejects: String? = nil) throws -> ConversionSummary {
    try CSVConverter.convert(input: input, output: output, csv: csv,
                             options: conversionOptions(chunkRows: chunkRows, onError: onError, rejects: rejects))
}

func convertJSON(_ input: String, _ output: String, json: JSONOptions = JSONOptions(), chunkRows: Int = 65536,
                 onError: ErrorPolicy = .fail, rejects: String? = nil) throws -> ConversionSummary {
    try JSONConverter.convert(input: input, output: output, json: json,
                              options: conversionOptions(chunkRows: chunkRows, onError: onError, rejects: rejects))
}

func csvFiles(under folder: String) -> [String] {
    let base = Paths.corpus + "/" + folder
    let all = (FileManager.default.enumerator(atPath: base)?.allObjects as? [String]) ?? []
    return all.filter { $0.hasSuffix(".csv") || $0.hasSuffix(".tsv") }.map { folder + "/" + $0 }.sorted()
}

extension IngestMessage {
    /// The message as colconv prints it, settings named by their flags.
    var text: String { rendered(naming: FlagNames.flag) }
}
