#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import ColText

// Number formatting without Foundation: colprof answers in milliseconds, and
// loading Foundation (with ICU) alone would cost more than reading a footer.

/// A share as a percentage with one decimal: `12.5%`.
func percent(_ x: Double) -> String { fixed(x * 100, 1) + "%" }

func fixed3(_ x: Double) -> String { fixed(x, 3) }

/// A number in at most 6 significant digits, in Swift's shortest form (`452.351`, `1.18657e+13`).
func compactNumber(_ v: Double) -> String {
    guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
    if v == v.rounded() && abs(v) < 1e15 { return String(Int64(v)) }
    let magnitude = Int(floor(log10(abs(v))))
    var scale = 1.0
    for _ in 0..<abs(5 - magnitude) { scale *= 10 }
    let rounded = 5 - magnitude >= 0 ? (v * scale).rounded() / scale : (v / scale).rounded() * scale
    if rounded == rounded.rounded() && abs(rounded) < 1e15 { return String(Int64(rounded)) }
    return String(rounded)
}

/// A byte count in binary units; GiB and above with two decimals.
func formatSize(_ bytes: UInt64) -> String {
    formatBytes(Int(clamping: bytes), decimals: bytes >= 1 << 30 ? 2 : 1)
}

extension String {
    /// The text with `|` escaped for a Markdown table cell.
    var markdownCell: String { split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|") }

    /// The text without trailing spaces.
    var trimmingTrailingSpaces: String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
