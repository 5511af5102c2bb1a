// Numbers and sizes as text for people, without Foundation: colconv's summary
// and progress, colprof's reports. Loading Foundation (with ICU) alone would
// cost more than reading a footer.

#if canImport(Glibc)
import Glibc
#endif

/// `v` with exactly `digits` decimals, rounded half away from zero; "NaN", "inf" or "-inf" when not finite.
package func fixed(_ v: Double, _ digits: Int) -> String {
    guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "inf" : "-inf") }
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

/// Bytes as B, KiB, MiB, GiB or TiB, with `decimals` decimals above bytes.
package func formatBytes(_ n: Int, decimals: Int = 1) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) B" : "\(fixed(v, decimals)) \(units[u])"
}

/// A share as a percentage with one decimal: `12.5%`.
package func percent(_ x: Double) -> String { fixed(x * 100, 1) + "%" }

package func fixed3(_ x: Double) -> String { fixed(x, 3) }

/// A number in at most 6 significant digits, in Swift's shortest form (`452.351`, `1.18657e+13`).
package func compactNumber(_ v: Double) -> String {
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
package func formatSize(_ bytes: UInt64) -> String {
    formatBytes(Int(clamping: bytes), decimals: bytes >= 1 << 30 ? 2 : 1)
}

