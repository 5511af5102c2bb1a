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
// Values are written a column at a time into each row's slot, from one
// chunk's decoded columns: memory holds a chunk and one buffer of rows.

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

    @inline(__always) static func append<T: FixedWidthInteger>(_ v: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.bigEndian) { out.append(contentsOf: $0) }
    }

    /// Appends rows `range` of `columns` (one chunk's, in our types) to `out`.
    static func appendRows(_ range: Range<Int>, of columns: [ColumnVector], to out: inout [UInt8]) throws(OutOfRange) {
        let fieldCount = UInt16(columns.count)
        for row in range {
            append(fieldCount, to: &out)
            for (j, c) in columns.enumerated() {
                guard c.type != .null, c.isValid(row) else {
                    append(Int32(-1), to: &out)
                    continue
                }
                switch c.type {
                case .int64:
                    append(Int32(8), to: &out)
                    append(c.int64s[row], to: &out)
                case .float64:
                    append(Int32(8), to: &out)
                    append(c.float64s[row].bitPattern, to: &out)
                case .bool:
                    append(Int32(1), to: &out)
                    out.append(c.bools[row] ? 1 : 0)
                case .date:
                    let days = Int64(c.dates[row]) - epochDays
                    guard let d = Int32(exactly: days) else { throw OutOfRange(column: j, row: row, what: "date") }
                    append(Int32(4), to: &out)
                    append(d, to: &out)
                case .timestamp:
                    let (micros, overflow) = c.int64s[row].subtractingReportingOverflow(epochMicros)
                    guard !overflow else { throw OutOfRange(column: j, row: row, what: "timestamp") }
                    append(Int32(8), to: &out)
                    append(micros, to: &out)
                case .string, .json:
                    let r = c.byteRange(row)
                    let isJSON = c.type == .json
                    append(Int32(r.count + (isJSON ? 1 : 0)), to: &out)
                    if isJSON { out.append(1) }  // jsonb's binary format: a version byte, then the text
                    out.append(contentsOf: c.bytes[r])
                case .null:
                    append(Int32(-1), to: &out)
                }
            }
        }
    }
}
