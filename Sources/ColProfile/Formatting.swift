#if canImport(Glibc)
import Glibc
#endif

// Number formatting without Foundation: colprof answers in milliseconds, and
// loading Foundation (with ICU) alone would cost more than reading a footer.

/// `v` with exactly `digits` decimals, rounded half away from zero.
func fixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return v.isNaN ? "nan" : (v > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(v) * scale).rounded()
    guard r < 9e18 else { return String(v) }
    let n = UInt64(r), unit = UInt64(scale)
    var s = (v < 0 && n != 0 ? "-" : "") + String(n / unit)
    if digits > 0 {
        let f = String(n % unit)
        s += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return s
}

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

/// A byte count in binary units.
func formatSize(_ bytes: UInt64) -> String {
    let b = Double(bytes)
    if bytes < 1024 { return "\(bytes) B" }
    if b < 1024 * 1024 { return fixed(b / 1024, 1) + " KiB" }
    if b < 1024 * 1024 * 1024 { return fixed(b / 1024 / 1024, 1) + " MiB" }
    return fixed(b / 1024 / 1024 / 1024, 2) + " GiB"
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
