import ColFormat

/// Writes rows of typed columns as CSV, TSV or NDJSON: the one row writer
/// behind `colconv x.col out.csv` and `colprof scan --format csv|ndjson`.
///
/// Values are written in their canonical text (docs/FORMAT.md §7).
/// Delimited: a null is an empty field and an empty string is `""`, so both
/// survive a round trip; quoting follows `DelimitedText`. NDJSON: one object
/// per row with the columns as keys in order; null is `null`, numbers and
/// bools are bare, non-finite doubles, dates and timestamps are strings, json
/// values are embedded as they are.
package struct RowWriter {
    package enum Format: Sendable, Equatable {
        case delimited(delimiter: UInt8)
        case ndjson
    }

    package let format: Format
    private let names: [String]
    /// NDJSON: each column's `"name":`.
    let keys: [[UInt8]]

    package init(format: Format, columnNames: [String]) {
        self.format = format
        names = columnNames
        keys = format == .ndjson ? columnNames.map { name in
            var k: [UInt8] = []
            CanonicalText.appendJSONString(Array(name.utf8), to: &k)
            k.append(UInt8(ascii: ":"))
            return k
        } : []
    }

    /// Delimited: the line of column names (none when there are no columns). NDJSON: nothing.
    package func appendHeader(to out: inout [UInt8]) {
        guard case let .delimited(d) = format, !names.isEmpty else { return }
        for (j, name) in names.enumerated() {
            if j > 0 { out.append(d) }
            DelimitedText.appendField(Array(name.utf8), delimiter: d, quoteEmpty: true, to: &out)
        }
        out.append(0x0A)
    }

    // Rows: `appendRows` (ColumnFields.swift), a column at a time.
}
