/// A plain-text table with aligned columns, two spaces apart, no trailing
/// spaces: `colprof`'s profiles and drift reports, and `colprof scan`.
package struct TextTable {
    package let headers: [String]
    package let rows: [[String]]
    /// Columns aligned right (numbers); the others align left.
    package let rightAligned: Set<Int>

    package init(headers: [String], rows: [[String]], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    /// The table, one line per row after the header, each ending with a newline.
    package func render() -> String {
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in
                let pad = String(repeating: " ", count: widths[i] - c.count)
                return rightAligned.contains(i) ? pad + c : c + pad
            }.joined(separator: "  ").trimmingTrailingSpaces
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
