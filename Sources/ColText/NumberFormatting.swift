// Numbers and sizes as text for people, without Foundation: colconv's summary
// and progress, colprof's reports. Loading Foundation (with ICU) alone would
// cost more than reading a footer.

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
