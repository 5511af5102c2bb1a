// Parquet → .col (docs/PARQUET.md, "Import"). One row group becomes one chunk. Flat leaves,
// and leaves of structs (as dotted columns), are read as they are; a field holding a list, a
// map or a repeated group becomes one json column (RecordAssembly). What is not read is refused
// with an error that names the column and the feature.
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
    /// What an import wrote.
    public struct Summary: Sendable {
        public var rows: UInt64
        public var rowGroups: Int
        /// Notes on what was decided (a timestamp without UTC taken as UTC, …).
        public var notes: [String]
    }

    /// One .col column: a leaf as it is, or a field assembled into JSON from its leaves.
    enum Output {
        case leaf(Int)
        case assembled(SchemaNode)
    }

    /// The plan of an import: the leaves, the .col columns and their names.
    struct Plan {
        var leaves: [Leaf]
        var outputs: [(name: String, output: Output)]
        /// Whether leaf `l` is read with its levels (it belongs to an assembled field).
        var keepsLevels: [Bool]
    }

    static func fail(_ path: String, _ message: String) -> ParquetError { ParquetError(path: path, message: message) }

    /// What each leaf becomes and which .col columns there are, or an error naming the first
    /// column colconv cannot import.
    static func plan(_ m: ParquetMetadata, notes: inout [String]) throws(SchemaError) -> Plan {
        let tree = try SchemaTree.build(m.schema)
        var leaves: [Leaf] = []
        for n in tree.leaves { leaves.append(try Leaf.resolve(n, notes: &notes)) }
        var outputs: [(name: String, output: Output)] = []
        var keeps = Array(repeating: false, count: leaves.count)
        for field in tree.fields {
            if field.holdsRepetition {
                outputs.append((field.element.name, .assembled(field)))
                for l in field.leaves { keeps[l] = true }
                notes.append("column \(field.element.name): \(field.isList ? "a list" : field.isMap ? "a map" : "a nested field with repeated values"), imported as json")
            } else {
                for l in field.leaves { outputs.append((leaves[l].name, .leaf(l))) }
            }
        }
        // A name repeated (in the Parquet schema, or by flattening) gets `_2`, `_3`, … as a repeated CSV header does.
        var used = Set<String>()
        for k in outputs.indices {
            let name = outputs[k].name
            if used.contains(name) {
                var n = 2
                while used.contains("\(name)_\(n)") { n += 1 }
                notes.append("column \(name): repeated in the Parquet schema, imported as \(name)_\(n)")
                outputs[k].name = "\(name)_\(n)"
            }
            used.insert(outputs[k].name)
        }
        return Plan(leaves: leaves, outputs: outputs, keepsLevels: keeps)
    }

    /// Converts the Parquet file at `input` to the .col file `output`.
    public static func convert(input: String, output: String, options: WriterOptions = WriterOptions(),
                               tool: String = "colconv") throws(ParquetError) -> Summary {
        let meta = try ParquetFooter.read(path: input)
        var notes: [String] = []
        let plan: Plan
        do { plan = try Self.plan(meta, notes: &notes) } catch { throw fail(input, error.description) }
        let leaves = plan.leaves
        let file: RandomAccessFile
        do { file = try RandomAccessFile(path: input) } catch { throw fail(input, error.description) }
        let writer: ColFileWriter
        do { writer = try ColFileWriter(path: output, columns: plan.outputs.map { ColumnDescriptor(name: $0.name) }, options: options) } catch {
            throw fail(output, error.description)
        }
        var rows: UInt64 = 0
        for (g, group) in meta.rowGroups.enumerated() {
            guard group.columns.count == leaves.count else {
                writer.abort()
                throw fail(input, "row group \(g) has \(group.columns.count) column chunks, the schema \(leaves.count) leaf columns")
            }
            guard group.numRows >= 0, group.numRows <= Int64(Layout.maxChunkRows) else {
                writer.abort()
                throw fail(input, "row group \(g) has \(group.numRows) rows (at most \(Layout.maxChunkRows) are read as one chunk)")
            }
            guard group.numRows > 0 else { continue }
            let n = Int(group.numRows)
            var columns: [LeafColumn] = []
            for (j, leaf) in leaves.enumerated() {
                let chunk = group.columns[j]
                guard chunk.path.isEmpty || chunk.path == leaf.node.path else {
                    writer.abort()
                    throw fail(input, "row group \(g): column chunk \(j) is for \(chunk.path.joined(separator: ".")), the schema's leaf \(j) is \(leaf.name)")
                }
                do {
                    columns.append(try ColumnChunkReader.read(chunk, leaf: leaf, rows: n, keepLevels: plan.keepsLevels[j], file: file))
                } catch {
                    writer.abort()
                    throw fail(input, "row group \(g), column \(leaf.name): \(error)")
                }
            }
            var vectors: [ColumnVector] = []
            for (name, o) in plan.outputs {
                switch o {
                case let .leaf(l): vectors.append(columns[l].values)
                case let .assembled(field):
                    var v = ColumnVector(type: .json, capacity: n)
                    do { try RecordAssembler.assemble(field, columns: Array(columns[field.leaves]), rows: n, into: &v) } catch {
                        writer.abort()
                        throw fail(input, "row group \(g), column \(name): \(error)")
                    }
                    vectors.append(v)
                }
            }
            columns.removeAll()
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
