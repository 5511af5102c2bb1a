/// Parses a byte size: "8GiB", "512MiB", "1.5G", "1000000" (binary units for K, M, G, T;
/// decimal for KB, MB, GB, TB); nil for anything else or a size over 1.8e19. The one syntax
/// of every size the tools take: `--chunk-bytes`, `--mem-available`, `COL_DECODE_LIMIT`,
/// colsum's `--cache`.
package func parseSize(_ s: String) -> UInt64? {
    let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
                                     ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12),
                                     ("K", 1024), ("M", 1_048_576), ("G", 1_073_741_824), ("T", 1_099_511_627_776), ("B", 1)]
    for (suffix, factor) in units where s.hasSuffix(suffix) {
        guard let v = Double(s.dropLast(suffix.count)), v >= 0, v * factor < 1.8e19 else { return nil }
        return UInt64(v * factor)
    }
    guard let v = UInt64(s) else { return nil }
    return v
}
