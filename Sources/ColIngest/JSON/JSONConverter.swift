import ColFormat

/// Converts a JSON array of records, one JSON object, or NDJSON to .col in
/// one streaming pass (docs/JSON.md).
///
/// The layout follows `CSVConverter` (ConversionPipeline.swift): a
/// `JSONRecordReader` scans records into raw chunks on its own thread while
/// the calling thread converts and encodes the previous chunk.
/// The input's first value decides its shape: `[` is an array whose elements
/// are rows; `{` starts a stream of objects, one row each (a single object is
/// a one-row table, NDJSON is many); anything else is not a table.
public enum JSONConverter {
    /// Converts `input` ("-" for standard input) to the .col file `output`.
    public static func convert(input: String, output: String, json: JSONOptions = JSONOptions(),
                               options: ConversionOptions = ConversionOptions()) throws(IngestError) -> ConversionSummary {
        guard json.maxNesting >= 1, json.maxNesting <= 100_000 else { throw .usage("\(setting: .maxNesting) must be between 1 and 100000") }
        guard json.maxDepth >= 0 else { throw .usage("\(setting: .maxDepth) must be 0 (no limit) or more") }
        guard !json.flattenSeparator.isEmpty else { throw .usage("\(setting: .flattenSeparator) must not be empty") }
        let source = try ByteSource(path: input)
        let rejects = try RejectsFile(path: options.rejectsPath)
        let writer: ColFileWriter
        do { writer = try ColFileWriter(path: output, columns: [], options: options.validatedWriter) } catch {
            rejects?.discard()
            throw .format(error)
        }
        writer.declaredRoles = options.roles

        let queue = ChunkQueue<JSONChunk>(depth: ConversionPipeline.queueDepth)
        let reader = JSONRecordReader(source: source, json: json, chunkRows: max(options.chunkRows, 1),
                                      chunkBytes: options.chunkBytes, badRecords: BadRecordPolicy(options: options, rejects: rejects), queue: queue,
                                      threads: json.readThreads ?? JSONRecordReader.defaultThreads, sliceBytes: json.sliceBytes)
        var decisions: [(subject: String, decision: String)] = [("encoding", source.encoding.rawValue)]
        var run = ConversionRun(input: input, output: output, inputSize: source.size, options: options)
        return try ConversionPipeline.run(reader, queue: queue, writer: writer, rejects: rejects, convert: { chunk throws(IngestError) in
            do throws(ColFileError) {
                for d in chunk.newColumns { try writer.addColumn(d) }
                try writer.append(rows: chunk.rows) { j in
                    let (vector, firstRow) = chunk.columns[j].finish()
                    return ColFileWriter.ChunkColumn(vector: vector, firstRowOfType: firstRow, ingestion: chunk.columns[j].ingestion)
                }
            } catch {
                throw .format(error)
            }
            run.chunkWritten(rows: chunk.rows, inputBytes: chunk.inputBytes)
        }, finish: { stats throws(IngestError) in
            decisions.append(("shape", reader.shape))
            decisions.append(("rows", "\(run.rows) converted, \(stats.rejected) rejected (--on-error \(options.onError.rawValue))"))
            if reader.duplicateKeys > 0 {
                decisions.append(("duplicate keys", "\(reader.duplicateKeys) value(s) replaced by a later repeat of their key (the last one wins)"))
            }
            for c in writer.columns {
                decisions.append(("column \(c.name)", "\(c.type.name) from \(c.sourcePath.isEmpty ? "non-object rows" : c.sourcePath)"))
            }
            return try run.finish(writer: writer, rejects: rejects, stats: stats, rejected: stats.rejected, decisions: decisions)
        })
    }
}
