// # COPY … FROM STDIN (FORMAT binary)
//
// PostgreSQL's binary copy format (the COPY page of its manual, "Binary
// Format"): an 11-byte signature, a flags word and a header-extension
// length; then per row a 16-bit field count and per field a 32-bit length
// (−1 for NULL) and the value in the type's binary send format, big-endian;
// then −1 as the trailer. Binary means no text to format on our side and none
// to parse on the server's: a double travels as its 8 bytes, so NaN, ±∞ and
// every bit of precision survive.
//
// Rows are written from one chunk's decoded columns, a batch at a time: the
// batch's size is summed first, then its bytes are stored through one
// pointer. Memory holds a chunk and one buffer of rows.

import ColFormat

/// How a column of ours is stored in PostgreSQL.
enum PostgresType: String, Sendable {
    case bigint, doublePrecision = "double precision", boolean, text, date, timestamptz, jsonb

    /// The PostgreSQL type for a column of `type`. A column with only nulls becomes text.
    init(_ type: LogicalType) {
        switch type {
        case .int64: self = .bigint
        case .float64: self = .doublePrecision
        case .bool: self = .boolean
        case .string, .null: self = .text
        case .date: self = .date
        case .timestamp: self = .timestamptz
        case .json: self = .jsonb
        }
    }

    /// The type's name as `format_type` prints it.
    var name: String {
        switch self {
        case .timestamptz: "timestamp with time zone"
        default: rawValue
        }
    }
}

/// Encodes rows in the binary COPY format.
enum BinaryCopy {
    /// The signature, the flags and the header extension's length.
    static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// The file trailer: a field count of −1.
    static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Days from 1970-01-01 to PostgreSQL's epoch, 2000-01-01.
    static let epochDays: Int64 = 10_957
    /// Microseconds from 1970-01-01 to 2000-01-01.
    static let epochMicros: Int64 = 946_684_800_000_000

    /// A value that PostgreSQL cannot hold.
    struct OutOfRange: Error {
        let column: Int, row: Int, what: String
    }

    /// Appends rows `range` of `columns` (one chunk's, in our types) to `out`.
    ///
    /// The rows' size is summed first (fixed widths, and the strings' lengths from their offsets),
    /// then the bytes are stored through one pointer: no per-value append.
    static func appendRows(_ range: Range<Int>, of columns: [ColumnVector], to out: inout [UInt8]) throws(OutOfRange) {
        var size = range.count * 2
        for c in columns {
            for row in range {
                guard c.type != .null, c.isValid(row) else { size += 4; continue }
                switch c.type {
                case .int64, .float64, .timestamp: size += 12
                case .bool: size += 5
                case .date: size += 8
                case .string: size += 4 + c.byteRange(row).count
                case .json: size += 5 + c.byteRange(row).count
                case .null: size += 4
                }
            }
        }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: size))
        var failure: OutOfRange?
        out.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress else { return }
            var at = start
            @inline(__always) func put<T: FixedWidthInteger>(_ v: T) {
                base.storeBytes(of: v.bigEndian, toByteOffset: at, as: T.self)
                at += MemoryLayout<T>.size
            }
            let fieldCount = UInt16(columns.count)
            for row in range {
                put(fieldCount)
                for (j, c) in columns.enumerated() {
                    guard c.type != .null, c.isValid(row) else { put(Int32(-1)); continue }
                    switch c.type {
                    case .int64:
                        put(Int32(8)); put(c.int64s[row])
                    case .float64:
                        put(Int32(8)); put(c.float64s[row].bitPattern)
                    case .bool:
                        put(Int32(1)); put(UInt8(c.bools[row] ? 1 : 0))
                    case .date:
                        guard let d = Int32(exactly: Int64(c.dates[row]) - epochDays) else {
                            failure = OutOfRange(column: j, row: row, what: "date")
                            return
                        }
                        put(Int32(4)); put(d)
                    case .timestamp:
                        let (micros, overflow) = c.int64s[row].subtractingReportingOverflow(epochMicros)
                        guard !overflow else {
                            failure = OutOfRange(column: j, row: row, what: "timestamp")
                            return
                        }
                        put(Int32(8)); put(micros)
                    case .string, .json:
                        let r = c.byteRange(row)
                        if c.type == .json {
                            put(Int32(r.count + 1)); put(UInt8(1))  // jsonb's binary format: a version byte, then the text
                        } else {
                            put(Int32(r.count))
                        }
                        c.bytes.withUnsafeBytes { src in
                            if let from = src.baseAddress, !r.isEmpty { (base + at).copyMemory(from: from + r.lowerBound, byteCount: r.count) }
                        }
                        at += r.count
                    case .null:
                        put(Int32(-1))
                    }
                }
            }
        }
        if let failure {
            out.removeSubrange(start...)
            throw failure
        }
    }
}
