import ColFormat

// # Whole-file reads
//
// A scan's iterator reads one chunk at a time on the caller's thread, and cuts
// it into batches: the way to read a file larger than memory. To read all of a
// file (or all of some columns) the chunks are independent, so they are decoded
// on every core: `forEachChunk` decodes a window of chunks (one per core) at a
// time, every (chunk, column) pair in parallel, then filters each chunk, and
// hands the chunks on in file order. `readAll` joins them into one contiguous
// column each. Every check of the one-chunk path holds (checksums, decoded
// sizes, COL_DECODE_LIMIT): both go through `Scan.decode`.

extension Scan {
    /// Decodes the scan's chunks on every core and hands each chunk's projected columns, with
    /// only the rows the filter keeps, to `body` in file order. Chunks are decoded a window
    /// (one chunk per core) at a time, so memory holds that window, not the file.
    ///
    /// - Parameter body: called with the chunk's index, its columns (in `columnNames` order,
    ///   in their logical types) and its row count after filtering.
    public func forEachChunk(_ body: (_ chunk: Int, _ columns: [ColumnVector], _ rows: Int) throws(ScanError) -> Void) throws(ScanError) {
        let window = max(1, activeProcessorCount)
        let needed = neededColumns
        let width = layout.schema.columns.count
        var start = 0
        while start < chunks.count {
            if isCancelled { throw .cancelled }
            let group = Array(chunks[start..<min(start + window, chunks.count)])
            // Every (chunk, column) pair of the window at once.
            let decoded = parallelMap(group.count * needed.count) { k -> Result<(ColumnVector, cached: Bool), ScanError> in
                do throws(ScanError) {
                    return .success(try self.decode(chunk: group[k / needed.count], column: needed[k % needed.count]))
                } catch {
                    return .failure(error)
                }
            }
            for (g, chunk) in group.enumerated() {
                var vectors = [ColumnVector?](repeating: nil, count: width)
                var hits = 0
                for (n, j) in needed.enumerated() {
                    let (v, cached) = try decoded[g * needed.count + n].get()
                    vectors[j] = v
                    if cached { hits += 1 }
                }
                let (columns, rows) = filter(chunk: chunk, vectors, cacheHits: hits)
                try body(chunk, columns, rows)
            }
            start += group.count
        }
    }

    /// Reads every row the scan keeps into one column each, in `columnNames` order: the values
    /// in contiguous typed arrays (`ColumnVector`), joined across chunks, in each column's
    /// logical type. Chunks are decoded on every core (`forEachChunk`).
    ///
    /// The result holds the whole of the chosen columns in memory: its size is the decoded size
    /// `colprof` reports (`docs/PROFILE.md`). Throws `tooLarge` for a text column of more than 4 GiB.
    public func readAll() throws(ScanError) -> [ColumnVector] {
        var out = columnIndices.map { ColumnVector(type: layout.schema.columns[$0].type) }
        if predicate == nil {
            let rows = chunks.reduce(0) { $0 + Int(reader.directory.chunkRowCounts[$1]) }
            for j in out.indices { out[j].reserveCapacity(rows) }
        }
        try forEachChunk { _, columns, _ throws(ScanError) in
            for (j, column) in columns.enumerated() where !out[j].append(contentsOf: column) {
                throw .tooLarge(column: columnNames[j])
            }
        }
        return out
    }
}
