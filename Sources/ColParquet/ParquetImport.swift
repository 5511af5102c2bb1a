// Parquet → .col (docs/PARQUET.md, "Import"), first part: flat files, data pages v1 and v2,
// PLAIN, PLAIN_DICTIONARY and RLE_DICTIONARY values, RLE and bit-packed levels, and the codecs
// uncompressed, snappy, zstd and LZ4_RAW. One row group becomes one chunk; everything else is
// refused with an error that names the column and the feature.
//
// Design note. The file is untrusted. A column chunk's bytes are read only after its range is
// checked against the file; a page's sizes are checked against the chunk and a decode limit
// before anything is decompressed; every count in a page is checked against the bytes left.

#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColFormat

/// Reads Parquet files into .col files.
public enum ParquetImport {
    /// A leaf column: where it is in the footer, and what it becomes.
    struct Leaf {
        var name: String
        var element: ParquetMetadata.Element
        var type: LogicalType
        var optional: Bool
        /// Timestamps: the unit (1 millis, 2 micros, 3 nanos).
        var unit: Int16?
        /// INT32 holding an unsigned value (UINT_32): read as unsigned, which int64 holds.
        var unsigned32 = false
    }

    /// What an import wrote.
    public struct Summary: Sendable {
        public var rows: UInt64
        public var rowGroups: Int
        /// Notes on what was decided (a timestamp without UTC taken as UTC, …).
        public var notes: [String]
    }

    static func fail(_ path: String, _ message: String) -> ParquetError { ParquetError(path: path, message: message) }

    /// The leaves of a flat schema, or an error naming the first column colconv cannot import.
    static func leaves(_ m: ParquetMetadata, path: String, notes: inout [String]) throws(ParquetError) -> [Leaf] {
        guard let root = m.schema.first else { throw fail(path, "the footer has no schema") }
        let children = Int(root.numChildren ?? 0)
        guard children == m.schema.count - 1 else {
            var nested = "?"
            for e in m.schema.dropFirst() where (e.numChildren ?? 0) > 0 {
                nested = e.name
                break
            }
            throw fail(path, "column \(nested): nested columns (structs, lists, maps) are not imported yet")
        }
        var out: [Leaf] = []
        var used = Set<String>()
        for var e in m.schema.dropFirst() {
            // A name repeated in the Parquet schema gets `_2`, `_3`, … as a repeated CSV header does.
            if used.contains(e.name) {
                var k = 2
                while used.contains("\(e.name)_\(k)") { k += 1 }
                notes.append("column \(e.name): repeated in the Parquet schema, imported as \(e.name)_\(k)")
                e.name += "_\(k)"
            }
            used.insert(e.name)
            guard e.repetition != 2 else { throw fail(path, "column \(e.name): repeated columns (lists) are not imported yet") }
            guard let physical = e.type else { throw fail(path, "column \(e.name): a group without children") }
            let refuse = { (what: String) -> ParquetError in fail(path, "column \(e.name): \(what) is not imported yet") }
            var unit: Int16?
            let type: LogicalType
            switch physical {
            case 0: type = .bool
            case 1:
                if e.logicalType == 6 || e.convertedType == 6 { type = .date } else if e.logicalType == 5 || e.convertedType == 5 {
                    throw refuse("DECIMAL")
                } else if e.logicalType == 7 || e.convertedType == 7 { throw refuse("TIME") } else { type = .int64 }

            case 2:
                if e.logicalType == 8 || e.convertedType == 9 || e.convertedType == 10 {
                    type = .timestamp
                    unit = e.timeUnit ?? (e.convertedType == 9 ? 1 : 2)
                    if e.adjustedToUTC == false { notes.append("column \(e.name): a timestamp without time zone (isAdjustedToUTC = false), taken as UTC") }
                } else if e.logicalType == 5 || e.convertedType == 5 {
                    throw refuse("DECIMAL")
                } else if e.logicalType == 7 || e.convertedType == 8 {
                    throw refuse("TIME")
                } else if (e.logicalType == 10 && e.integerSigned == false && e.integerBits == 64) || e.convertedType == 14 {
                    throw refuse("an unsigned 64-bit integer (UINT_64)")
                } else {
                    type = .int64
                }
            case 3: throw refuse("INT96 (legacy timestamps)")
            case 4, 5: type = .float64
            case 6:
                if e.logicalType == 12 || e.convertedType == 19 { type = .json } else if e.logicalType == 1 || e.logicalType == 4
                    || e.convertedType == 0 || e.convertedType == 4 { type = .string } else if e.logicalType == 5 || e.convertedType == 5 {
                    throw refuse("DECIMAL")
                } else {
                    throw refuse("BYTE_ARRAY without a STRING, ENUM or JSON annotation (binary)")
                }
            case 7:
                if e.logicalType == 5 || e.convertedType == 5 { throw refuse("DECIMAL") }
                if e.logicalType == 14 { throw refuse("UUID") }
                throw refuse("FIXED_LEN_BYTE_ARRAY")
            default: throw fail(path, "column \(e.name): unknown physical type \(physical)")
            }
            let isNull = e.logicalType == 11
            let unsigned32 = physical == 1 && ((e.logicalType == 10 && e.integerSigned == false) || e.convertedType == 13)
            out.append(Leaf(name: e.name, element: e, type: isNull ? .null : type, optional: e.repetition == 1, unit: unit,
                            unsigned32: unsigned32))
        }
        return out
    }

    /// Converts the Parquet file at `input` to the .col file `output`.
    public static func convert(input: String, output: String, options: WriterOptions = WriterOptions(),
                               tool: String = "colconv") throws(ParquetError) -> Summary {
        let meta = try ParquetFooter.read(path: input)
        var notes: [String] = []
        let leaves = try leaves(meta, path: input, notes: &notes)
        let file: RandomAccessFile
        do { file = try RandomAccessFile(path: input) } catch { throw fail(input, error.description) }
        let writer: ColFileWriter
        do { writer = try ColFileWriter(path: output, columns: leaves.map { ColumnDescriptor(name: $0.name) }, options: options) } catch {
            throw fail(output, error.description)
        }
        var rows: UInt64 = 0
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.columns.count == leaves.count else {
                writer.abort()
                throw fail(input, "row group \(g) has \(group.columns.count) column chunks, the schema \(leaves.count) columns")
            }
            guard group.numRows >= 0, group.numRows <= Int64(Layout.maxChunkRows) else {
                writer.abort()
                throw fail(input, "row group \(g) has \(group.numRows) rows (at most \(Layout.maxChunkRows) are read as one chunk)")
            }
            guard group.numRows > 0 else { continue }
            var vectors: [ColumnVector] = []
            for (j, leaf) in leaves.enumerated() {
                do {
                    vectors.append(try ColumnChunkReader.read(group.columns[j], leaf: leaf, rows: Int(group.numRows), file: file))
                } catch {
                    writer.abort()
                    throw fail(input, "row group \(g), column \(leaf.name): \(error)")
                }
            }
            do { try writer.append(vectors) } catch {
                writer.abort()
                throw fail(output, error.description)
            }
            rows += UInt64(group.numRows)
        }
        var st = stat()
        let size = stat(input, &st) == 0 ? UInt64(st.st_size) : nil
        let provenance = Provenance(source: input, sourceSize: size, tool: tool, createdAt: Provenance.now(),
                                    options: [("from", "parquet")],
                                    decisions: [("parquet", "created by \(meta.createdBy ?? "unknown"), \(meta.rowGroups.count) row groups")]
                                        + notes.map { ("note", $0) })
        do { try writer.finish(provenance: provenance) } catch { throw fail(output, error.description) }
        return Summary(rows: rows, rowGroups: meta.rowGroups.count, notes: notes)
    }
}
