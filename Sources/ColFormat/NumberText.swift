/// Numbers as text for people, without Foundation (colconv's summary, colprof's reports),
/// and the powers of ten that number parsing and the decimal encoding share.

/// 10^0 … 10^22: every one is exactly representable as a double.
public let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
    1e20, 1e21, 1e22,
]

/// `v` with exactly `digits` decimals, rounded half away from zero; "NaN", "inf" or "-inf" when not finite.
public func fixed(_ v: Double, _ digits: Int) -> String {
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
public func formatBytes(_ n: Int, decimals: Int = 1) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var u = 0
    while v >= 1024 && u < units.count - 1 { v /= 1024; u += 1 }
    return u == 0 ? "\(n) B" : "\(fixed(v, decimals)) \(units[u])"
}
