// Reading a Parquet file's footer (FileMetaData), for import and for `colprof` on Parquet
// (docs/PARQUET.md). Untrusted: every length is checked against the file before it is read.

#if canImport(Glibc)
import Glibc
#endif
import ColFormat

/// An error reading a Parquet file: the file, what, and where.
public struct ParquetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The file.
    public var path: String
    /// What is wrong, with its byte offset when there is one.
    public var message: String
    /// `path: message`.
    public var description: String { "\(path): \(message)" }

    /// An error about the file at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }
}

/// What a Parquet footer says, as far as colconv uses it.
public struct ParquetMetadata: Sendable {
    /// One schema element, in the footer's depth-first order.
    public struct Element: Sendable {
        public var name: String
        /// The physical type code (parquet.thrift `Type`), nil for a group.
        public var type: Int32?
        /// 0 required, 1 optional, 2 repeated; nil for the root.
        public var repetition: Int32?
        public var numChildren: Int32?
        public var convertedType: Int32?
        /// The `LogicalType` union's field id (1 STRING, 6 DATE, 8 TIMESTAMP, 12 JSON, …), if set.
        public var logicalType: Int16?
        /// TIMESTAMP and TIME: the unit (1 millis, 2 micros, 3 nanos) and whether values are UTC.
        public var timeUnit: Int16?
        public var adjustedToUTC: Bool?
        /// INTEGER: bit width and signedness.
        public var integerBits: Int8?
        public var integerSigned: Bool?
        /// DECIMAL: scale and precision (from the logical type or the element's own fields).
        public var scale: Int32?
        public var precision: Int32?
        /// FIXED_LEN_BYTE_ARRAY: the width.
        public var typeLength: Int32?
    }

    /// One column chunk of a row group.
    public struct Chunk: Sendable {
        public var path: [String]
        public var type: Int32
        public var codec: Int32
        public var numValues: Int64
        public var totalCompressedSize: Int64
        public var dataPageOffset: Int64
        public var dictionaryPageOffset: Int64?
        public var nullCount: Int64?
        public var minValue: [UInt8]?
        public var maxValue: [UInt8]?
    }

    /// A row group.
    public struct RowGroup: Sendable {
        public var numRows: Int64
        public var columns: [Chunk]
    }

    public var version: Int32 = 0
    public var schema: [Element] = []
    public var numRows: Int64 = 0
    public var rowGroups: [RowGroup] = []
    public var keyValues: [(key: String, value: String?)] = []
    public var createdBy: String?

    /// The value of key-value metadata `key`.
    public func value(_ key: String) -> String? { keyValues.first { $0.key == key }?.value ?? nil }
}

/// Reads Parquet footers.
public enum ParquetFooter {
    /// The footer of the Parquet file at `path`.
    public static func read(path: String) throws(ParquetError) -> ParquetMetadata {
        let file: RandomAccessFile
        do { file = try RandomAccessFile(path: path) } catch { throw ParquetError(path: path, message: error.description) }
        let size = file.size
        func read(_ at: Int, _ count: Int) throws(ParquetError) -> [UInt8] {
            do { return try file.read(at: at, count: count) } catch { throw ParquetError(path: path, message: error.description) }
        }
        guard size >= 12 else { throw ParquetError(path: path, message: "truncated: \(size) bytes, less than a Parquet file's 12") }
        let head = try read(0, 4)
        let tail = try read(size - 8, 8)
        guard head == Array("PAR1".utf8) else { throw ParquetError(path: path, message: "not a Parquet file (no PAR1 at byte 0)") }
        guard Array(tail[4...]) == Array("PAR1".utf8) else {
            throw ParquetError(path: path, message: "truncated or not Parquet: no PAR1 in the last 4 bytes (byte \(size - 4))")
        }
        var length = 0
        for k in 0..<4 { length |= Int(tail[k]) << (8 * k) }
        guard length > 0, length <= size - 12 else {
            throw ParquetError(path: path, message: "a footer of \(length) bytes does not fit in the file (\(size) bytes), at byte \(size - 8)")
        }
        let at = size - 8 - length
        let bytes = try read(at, length)
        do {
            return try parse(bytes, base: at)
        } catch {
            throw ParquetError(path: path, message: "corrupt footer: \(error)")
        }
    }

    /// Parses FileMetaData from `bytes`, which start at file offset `base`.
    static func parse(_ bytes: [UInt8], base: Int) throws(ThriftError) -> ParquetMetadata {
        var r = ThriftCompactReader(bytes, base: base)
        var m = ParquetMetadata()
        try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
            switch (id, type) {
            case (1, .i32): m.version = try r.i32()
            case (2, .list):
                try r.structList("schema elements") { (r: inout ThriftCompactReader) throws(ThriftError) in m.schema.append(try schemaElement(&r)) }
            case (3, .i64): m.numRows = try r.i64()
            case (4, .list):
                try r.structList("row groups") { (r: inout ThriftCompactReader) throws(ThriftError) in m.rowGroups.append(try rowGroup(&r)) }
            case (5, .list):
                try r.structList("key-value metadata") { (r: inout ThriftCompactReader) throws(ThriftError) in
                    var key = "", value: String?
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        switch (id, type) {
                        case (1, .binary): key = try r.string()
                        case (2, .binary): value = try r.string()
                        default: try r.skip(type)
                        }
                    }
                    m.keyValues.append((key, value))
                }
            case (6, .binary): m.createdBy = try r.string()
            default: try r.skip(type)
            }
        }
        return m
    }

    static func schemaElement(_ r: inout ThriftCompactReader) throws(ThriftError) -> ParquetMetadata.Element {
        var e = ParquetMetadata.Element(name: "")
        try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
            switch (id, type) {
            case (1, .i32): e.type = try r.i32()
            case (2, .i32): e.typeLength = try r.i32()
            case (3, .i32): e.repetition = try r.i32()
            case (7, .i32): e.scale = try r.i32()
            case (8, .i32): e.precision = try r.i32()
            case (4, .binary): e.name = try r.string()
            case (5, .i32): e.numChildren = try r.i32()
            case (6, .i32): e.convertedType = try r.i32()
            case (10, .structure):
                // The LogicalType union: its one field's id names the type.
                try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                    e.logicalType = id
                    guard type == .structure else { return try r.skip(type) }
                    try r.structure { (r: inout ThriftCompactReader, field: Int16, type: ThriftType) throws(ThriftError) in
                        switch (id, field, type) {
                        case (5, 1, .i32): e.scale = try r.i32()
                        case (5, 2, .i32): e.precision = try r.i32()
                        case (7, 1, _), (8, 1, _): e.adjustedToUTC = try r.bool(type)
                        case (7, 2, .structure), (8, 2, .structure):
                            try r.structure { (r: inout ThriftCompactReader, unit: Int16, type: ThriftType) throws(ThriftError) in
                                e.timeUnit = unit
                                try r.skip(type)
                            }
                        case (10, 1, .i8): e.integerBits = Int8(bitPattern: try r.byte())
                        case (10, 2, _): e.integerSigned = try r.bool(type)
                        default: try r.skip(type)
                        }
                    }
                }
            default: try r.skip(type)
            }
        }
        return e
    }

    static func rowGroup(_ r: inout ThriftCompactReader) throws(ThriftError) -> ParquetMetadata.RowGroup {
        var g = ParquetMetadata.RowGroup(numRows: 0, columns: [])
        try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
            switch (id, type) {
            case (1, .list):
                try r.structList("column chunks") { (r: inout ThriftCompactReader) throws(ThriftError) in
                    var chunk = ParquetMetadata.Chunk(path: [], type: -1, codec: -1, numValues: 0, totalCompressedSize: 0, dataPageOffset: -1)
                    try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                        guard id == 3, type == .structure else { return try r.skip(type) }
                        try columnMetaData(&r, into: &chunk)
                    }
                    g.columns.append(chunk)
                }
            case (3, .i64): g.numRows = try r.i64()
            default: try r.skip(type)
            }
        }
        return g
    }

    static func columnMetaData(_ r: inout ThriftCompactReader, into c: inout ParquetMetadata.Chunk) throws(ThriftError) {
        try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
            switch (id, type) {
            case (1, .i32): c.type = try r.i32()
            case (3, .list):
                let (element, count) = try r.list()
                guard element == .binary else { throw r.fail("a column path that is not strings") }
                for _ in 0..<count { c.path.append(try r.string()) }
            case (4, .i32): c.codec = try r.i32()
            case (5, .i64): c.numValues = try r.i64()
            case (7, .i64): c.totalCompressedSize = try r.i64()
            case (9, .i64): c.dataPageOffset = try r.i64()
            case (11, .i64): c.dictionaryPageOffset = try r.i64()
            case (12, .structure):
                try r.structure { (r: inout ThriftCompactReader, id: Int16, type: ThriftType) throws(ThriftError) in
                    switch (id, type) {
                    case (3, .i64): c.nullCount = try r.i64()
                    case (5, .binary): c.maxValue = try r.binary()
                    case (6, .binary): c.minValue = try r.binary()
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
    }
}
