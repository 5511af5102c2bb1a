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
    /// Widths count characters; each cell is measured once, and ASCII cells by their bytes.
    package func render() -> String {
        func width(_ s: String) -> Int {
            for b in s.utf8 where b >= 0x80 { return s.count }
            return s.utf8.count
        }
        let lines = [headers] + rows
        let measured = lines.map { $0.map(width) }
        var widths = [Int](repeating: 0, count: lines.reduce(0) { max($0, $1.count) })
        for cells in measured { for (i, w) in cells.enumerated() { widths[i] = max(widths[i], w) } }
        var out: [UInt8] = []
        out.reserveCapacity(lines.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (cells, cellWidths) in zip(lines, measured) {
            let start = out.count
            for (i, cell) in cells.enumerated() {
                if i > 0 { out += [0x20, 0x20] }
                let pad = widths[i] - cellWidths[i]
                if rightAligned.contains(i) {
                    out += repeatElement(0x20, count: pad)
                    out += cell.utf8
                } else {
                    out += cell.utf8
                    out += repeatElement(0x20, count: pad)
                }
            }
            while out.count > start && out.last == 0x20 { out.removeLast() }
            out.append(0x0A)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
