// The Parquet metadata we write, field for field as apache/parquet-format's parquet.thrift
// numbers them (docs/PARQUET.md). Only the fields colconv sets are modelled.

/// Parquet physical types.
enum PhysicalType: Int32 {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5, byteArray = 6, fixedLenByteArray = 7
}

/// Parquet encodings.
enum PageEncoding: Int32 {
    case plain = 0, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5, deltaLengthByteArray = 6,
         deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

/// Parquet compression codecs.
public enum ParquetCodec: Int32, Sendable {
    case uncompressed = 0, snappy = 1, gzip = 2, lzo = 3, brotli = 4, lz4 = 5, zstd = 6, lz4Raw = 7
}

/// Repetition of a schema element.
enum Repetition: Int32 { case required = 0, optional = 1, repeated = 2 }

/// The logical-type annotations we write (the `LogicalType` union), with their converted types.
enum Annotation {
    case string, date, timestampMicrosUTC, json, null

    /// The deprecated ConvertedType written beside it for older readers, if there is one.
    var convertedType: Int32? {
        switch self {
        case .string: 0        // UTF8
        case .date: 6          // DATE
        case .timestampMicrosUTC: 10  // TIMESTAMP_MICROS
        case .json: 19         // JSON
        case .null: nil
        }
    }

    func write(_ w: inout ThriftCompactWriter) {
        switch self {
        case .string: w.structure(1) { _ in }
        case .date: w.structure(6) { _ in }
        case .timestampMicrosUTC:
            w.structure(8) { w in
                w.bool(1, true)                     // isAdjustedToUTC
                w.structure(2) { w in w.structure(2) { _ in } }  // unit: MICROS
            }
        case .json: w.structure(12) { _ in }
        case .null: w.structure(11) { _ in }     // UNKNOWN: always null
        }
    }
}

struct SchemaElement {
    var type: PhysicalType?
    var repetition: Repetition?
    var name: String
    var numChildren: Int32?
    var annotation: Annotation?

    func write(_ w: inout ThriftCompactWriter) {
        if let type { w.i32(1, type.rawValue) }
        if let repetition { w.i32(3, repetition.rawValue) }
        w.string(4, name)
        if let numChildren { w.i32(5, numChildren) }
        if let c = annotation?.convertedType { w.i32(6, c) }
        if let annotation { w.structure(10) { annotation.write(&$0) } }
    }
}

struct PageStatistics {
    var nullCount: Int64?
    var distinctCount: Int64?
    var maxValue: [UInt8]?
    var minValue: [UInt8]?
    var maxIsExact: Bool?
    var minIsExact: Bool?
    var nanCount: Int64?

    func write(_ w: inout ThriftCompactWriter) {
        if let nullCount { w.i64(3, nullCount) }
        if let distinctCount { w.i64(4, distinctCount) }
        if let maxValue { w.binary(5, maxValue) }
        if let minValue { w.binary(6, minValue) }
        if let maxIsExact { w.bool(7, maxIsExact) }
        if let minIsExact { w.bool(8, minIsExact) }
        if let nanCount { w.i64(9, nanCount) }
    }
}

struct DataPageHeader {
    var numValues: Int32
    var encoding: PageEncoding
    var definitionLevelEncoding: PageEncoding = .rle
    var repetitionLevelEncoding: PageEncoding = .rle
}

struct PageHeader {
    /// A data page (v1), or a dictionary page of `dictionaryValues` PLAIN values.
    enum Kind {
        case data(DataPageHeader)
        case dictionary(values: Int32)
    }

    var uncompressedSize: Int32
    var compressedSize: Int32
    var kind: Kind

    func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.structBody { w in
            switch kind {
            case .data: w.i32(1, 0)        // DATA_PAGE
            case .dictionary: w.i32(1, 2)  // DICTIONARY_PAGE
            }
            w.i32(2, uncompressedSize)
            w.i32(3, compressedSize)
            switch kind {
            case let .data(data):
                w.structure(5) { w in
                    w.i32(1, data.numValues)
                    w.i32(2, data.encoding.rawValue)
                    w.i32(3, data.definitionLevelEncoding.rawValue)
                    w.i32(4, data.repetitionLevelEncoding.rawValue)
                }
            case let .dictionary(values):
                w.structure(7) { w in
                    w.i32(1, values)
                    w.i32(2, PageEncoding.plain.rawValue)
                }
            }
        }
        return w.bytes
    }
}

struct ColumnMetaData {
    var type: PhysicalType
    var encodings: [PageEncoding]
    var path: [String]
    var codec: ParquetCodec
    var numValues: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: PageStatistics?

    func write(_ w: inout ThriftCompactWriter) {
        w.i32(1, type.rawValue)
        w.i32List(2, encodings.map(\.rawValue))
        w.stringList(3, path)
        w.i32(4, codec.rawValue)
        w.i64(5, numValues)
        w.i64(6, totalUncompressedSize)
        w.i64(7, totalCompressedSize)
        w.i64(9, dataPageOffset)
        if let dictionaryPageOffset { w.i64(11, dictionaryPageOffset) }
        if let statistics { w.structure(12) { statistics.write(&$0) } }
    }
}

struct ColumnChunk {
    var metaData: ColumnMetaData
    var offsetIndexOffset: Int64?
    var offsetIndexLength: Int32?
    var columnIndexOffset: Int64?
    var columnIndexLength: Int32?

    func write(_ w: inout ThriftCompactWriter) {
        w.i64(2, 0)  // file_offset: deprecated, 0 as the spec asks
        w.structure(3) { metaData.write(&$0) }
        if let offsetIndexOffset { w.i64(4, offsetIndexOffset) }
        if let offsetIndexLength { w.i32(5, offsetIndexLength) }
        if let columnIndexOffset { w.i64(6, columnIndexOffset) }
        if let columnIndexLength { w.i32(7, columnIndexLength) }
    }
}

struct RowGroup {
    var columns: [ColumnChunk]
    var totalByteSize: Int64
    var numRows: Int64
    var fileOffset: Int64
    var totalCompressedSize: Int64
    /// The row group's ordinal, when it fits in the field's i16.
    var ordinal: Int16?

    func write(_ w: inout ThriftCompactWriter) {
        w.structList(1, columns) { w, c in c.write(&w) }
        w.i64(2, totalByteSize)
        w.i64(3, numRows)
        w.i64(5, fileOffset)
        w.i64(6, totalCompressedSize)
        if let ordinal { w.i16(7, ordinal) }
    }
}

/// One page's place in its column chunk (OffsetIndex.page_locations).
struct PageLocation {
    var offset: Int64
    var compressedPageSize: Int32
    var firstRowIndex: Int64
}

struct OffsetIndex {
    var pages: [PageLocation]

    func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.structList(1, pages) { w, p in
                w.i64(1, p.offset)
                w.i32(2, p.compressedPageSize)
                w.i64(3, p.firstRowIndex)
            }
        }
        return w.bytes
    }
}

struct ColumnIndex {
    var nullPages: [Bool]
    var minValues: [[UInt8]]
    var maxValues: [[UInt8]]
    var nullCounts: [Int64]

    func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.boolList(1, nullPages)
            w.binaryList(2, minValues)
            w.binaryList(3, maxValues)
            w.i32(4, 0)  // boundary_order: UNORDERED (one page per chunk)
            w.i64List(5, nullCounts)
        }
        return w.bytes
    }
}

struct FileMetaData {
    var schema: [SchemaElement]
    var numRows: Int64
    var rowGroups: [RowGroup]
    var keyValues: [(String, String)]
    var createdBy: String
    var leafColumns: Int

    func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.structBody { w in
            w.i32(1, 1)  // version
            w.structList(2, schema) { w, e in e.write(&w) }
            w.i64(3, numRows)
            w.structList(4, rowGroups) { w, g in g.write(&w) }
            if !keyValues.isEmpty {
                w.structList(5, keyValues) { w, kv in
                    w.string(1, kv.0)
                    w.string(2, kv.1)
                }
            }
            w.string(6, createdBy)
            // TYPE_ORDER for every leaf: min and max follow each column's type.
            w.structList(7, Array(repeating: 0, count: leafColumns)) { w, _ in w.structure(1) { _ in } }
        }
        return w.bytes
    }
}
