// Snappy decompression (the raw format of google/snappy's format_description.txt), which
// Parquet writers use by default. Debian's libsnappy would do it too; decoding takes fifty
// lines and one dependency less, and compression is not needed (we write zstd).

enum Snappy {
    /// Decompresses a raw Snappy block into exactly `expected` bytes, or returns nil when the
    /// block is malformed, declares another length, or copies from before its start.
    static func decompress(_ input: UnsafeRawBufferPointer, expected: Int) -> [UInt8]? {
        var i = 0
        func varint() -> Int? {
            var v = 0, shift = 0
            while i < input.count, shift <= 28 {
                let b = input[i]
                i += 1
                v |= Int(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
            return nil
        }
        guard let length = varint(), length == expected else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(length)
        while i < input.count {
            let tag = input[i]
            i += 1
            switch tag & 3 {
            case 0:  // literal
                var n = Int(tag >> 2) + 1
                if n > 60 {
                    let extra = n - 60
                    guard i + extra <= input.count else { return nil }
                    n = 0
                    for k in 0..<extra { n |= Int(input[i + k]) << (8 * k) }
                    n += 1
                    i += extra
                }
                guard n <= input.count - i, n <= length - out.count else { return nil }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[i..<(i + n)]))
                i += n
            default:  // copies
                let n: Int, offset: Int
                switch tag & 3 {
                case 1:
                    guard i < input.count else { return nil }
                    n = Int((tag >> 2) & 7) + 4
                    offset = Int(tag >> 5) << 8 | Int(input[i])
                    i += 1
                case 2:
                    guard i + 2 <= input.count else { return nil }
                    n = Int(tag >> 2) + 1
                    offset = Int(input[i]) | Int(input[i + 1]) << 8
                    i += 2
                default:
                    guard i + 4 <= input.count else { return nil }
                    n = Int(tag >> 2) + 1
                    offset = Int(input[i]) | Int(input[i + 1]) << 8 | Int(input[i + 2]) << 16 | Int(input[i + 3]) << 24
                    i += 4
                }
                guard offset > 0, offset <= out.count, n <= length - out.count else { return nil }
                let start = out.count - offset
                for k in 0..<n { out.append(out[start + k]) }  // copies may overlap their own output
            }
        }
        return out.count == length ? out : nil
    }
}
