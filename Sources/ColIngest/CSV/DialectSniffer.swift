/// Detects the delimiter, the quote character and the header on a sample of the input.
///
/// - Delimiter: each of `,` `;` tab `|` splits the sample's first lines
///   (quotes respected); the one that gives the same field count (> 1) on the
///   most lines wins, ties going to more fields, then to the order above.
/// - Quote: `"` unless the sample has none and `'` encloses fields.
/// - Header: the first row is a header unless one of its fields is a number,
///   date, timestamp or bool (names rarely are), or it has an empty name
///   while the other rows fill that column with typed values.
enum DialectSniffer {
    static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), 0x09, UInt8(ascii: "|")]

    struct Result {
        var dialect: CSVDialect
        var decisions: [(String, String)]
    }

    /// Splits up to `maxLines` lines of the sample into fields.
    static func split(_ sample: ArraySlice<UInt8>, delimiter: UInt8, quote: UInt8?, maxLines: Int = 100) -> [[ArraySlice<UInt8>]] {
        var rows: [[ArraySlice<UInt8>]] = []
        var fields: [ArraySlice<UInt8>] = []
        var i = sample.startIndex
        var start = i
        var inQuotes = false
        let end = sample.endIndex
        while i < end && rows.count < maxLines {
            let b = sample[i]
            if let q = quote, b == q {
                inQuotes.toggle()
            } else if !inQuotes && b == delimiter {
                fields.append(sample[start..<i])
                start = i + 1
            } else if !inQuotes && (b == 0x0A || b == 0x0D) {
                fields.append(sample[start..<i])
                if !(fields.count == 1 && fields[0].isEmpty) { rows.append(fields) }
                fields = []
                if b == 0x0D && i + 1 < end && sample[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        // A last line without a newline counts only if the sample is the whole input.
        if rows.count < maxLines && start < end && !inQuotes {
            fields.append(sample[start..<end])
            rows.append(fields)
        }
        return rows
    }

    static func sniff(_ sample: ArraySlice<UInt8>, delimiter forcedDelimiter: UInt8?, quote forcedQuote: UInt8??,
                      header forcedHeader: Bool?, defaultDelimiter: UInt8, completeSample: Bool) -> Result {
        var decisions: [(String, String)] = []
        // Quote.
        var quote: UInt8? = UInt8(ascii: "\"")
        if let q = forcedQuote {
            quote = q
            decisions.append(("quote", q.map { "'\(printable($0))' (given)" } ?? "none (given)"))
        } else if !sample.contains(UInt8(ascii: "\"")) && sample.contains(UInt8(ascii: "'")) {
            let rows = split(sample, delimiter: forcedDelimiter ?? defaultDelimiter, quote: nil, maxLines: 50)
            let enclosed = rows.flatMap { $0 }.filter { $0.count >= 2 && $0.first == UInt8(ascii: "'") && $0.last == UInt8(ascii: "'") }.count
            if enclosed > 0 { quote = UInt8(ascii: "'") }
            decisions.append(("quote", quote == UInt8(ascii: "'") ? "''' (sniffed: \(enclosed) fields enclosed in single quotes, no double quotes)" : "'\"' (default)"))
        } else {
            decisions.append(("quote", "'\"' (default)"))
        }
        // Delimiter.
        var delimiter = forcedDelimiter ?? defaultDelimiter
        var rows: [[ArraySlice<UInt8>]] = []
        if let d = forcedDelimiter {
            decisions.append(("delimiter", "'\(printable(d))' (given)"))
            rows = split(sample, delimiter: d, quote: quote)
        } else {
            var best: (score: Int, fields: Int, delimiter: UInt8, rows: [[ArraySlice<UInt8>]])? = nil
            for d in candidates {
                var r = split(sample, delimiter: d, quote: quote)
                if !completeSample && r.count > 1 { r.removeLast() }
                var histogram: [Int: Int] = [:]
                for row in r { histogram[row.count, default: 0] += 1 }
                guard let (fields, score) = histogram.max(by: { $0.value < $1.value || ($0.value == $1.value && $0.key < $1.key) }),
                      fields > 1 else { continue }
                let better = best.map { score > $0.score || (score == $0.score && fields > $0.fields) } ?? true
                if better { best = (score, fields, d, r) }
            }
            if let best {
                delimiter = best.delimiter
                rows = best.rows
                decisions.append(("delimiter", "'\(printable(delimiter))' (sniffed: \(best.fields) fields on \(best.score) of \(best.rows.count) sample lines)"))
            } else {
                rows = split(sample, delimiter: delimiter, quote: quote)
                decisions.append(("delimiter", "'\(printable(delimiter))' (default: no candidate splits the sample into several fields)"))
            }
        }
        // Header.
        var hasHeader = true
        if let h = forcedHeader {
            hasHeader = h
            decisions.append(("header", h ? "first row (given)" : "none (given)"))
        } else if let first = rows.first {
            let typed = first.enumerated().first { _, f in
                let body = unquote(f, quote: quote)
                return !body.isEmpty && body.withUnsafeBytes { ValueParser.classify($0) } != 0
            }
            if let (index, field) = typed {
                hasHeader = false
                decisions.append(("header", "none (sniffed: first-row field \(index + 1) '\(String(decoding: unquote(field, quote: quote), as: UTF8.self))' is a value, not a name)"))
            } else {
                decisions.append(("header", "first row (sniffed: its fields are all text)"))
            }
        } else {
            decisions.append(("header", "first row (default: empty input)"))
        }
        return Result(dialect: CSVDialect(delimiter: delimiter, quote: quote, hasHeader: hasHeader), decisions: decisions)
    }

    static func unquote(_ f: ArraySlice<UInt8>, quote: UInt8?) -> [UInt8] {
        guard let q = quote, f.count >= 2, f.first == q, f.last == q else { return Array(f) }
        return Array(f.dropFirst().dropLast())
    }
}
