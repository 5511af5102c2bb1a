#if canImport(Glibc)
import Glibc
#endif
import ColIngest
import ColText

/// The conversion progress line on standard error: rows, bytes, throughput, and with a known input size a bar and an ETA.
enum ProgressBar {
    static func draw(_ p: ConversionProgress) {
        var s = "\r\u{1B}[2K  \(p.rows) rows  \(formatBytes(p.inputBytes))"
        let rate = p.seconds > 0 ? Double(p.inputBytes) / 1e6 / p.seconds : 0  // decimal MB/s
        s += "  \(fixed(rate, 1)) MB/s"
        if let size = p.inputSize, size > 0 {
            let fraction = min(1, Double(p.inputBytes) / Double(size))
            let width = 24
            let filled = Int(fraction * Double(width))
            s += "  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] \(Int(fraction * 100))%"
            if rate > 0 { s += "  ETA \(Int(Double(size - p.inputBytes) / 1e6 / rate)) s" }
        }
        s.withUTF8 { b in _ = write(2, b.baseAddress, b.count) }
    }

    static func clear() {
        let s = "\r\u{1B}[2K"
        _ = s.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, s.utf8.count) }
    }
}
