import ColFormat
import Synchronization

/// A planned scan of a dataset: each part that may hold matching rows, with its own
/// `Scan` in the dataset's schema, read one after another in part order.
public final class DatasetScan: BatchSource {
    /// One part left after part pruning, and its scan.
    public struct PartScan: Sendable {
        /// The part's index in `ColDataset.parts`.
        public let part: Int
        /// The part's scan, in the dataset's schema.
        public let scan: Scan
    }

    /// The dataset scanned.
    public let dataset: ColDataset
    /// The projected columns' names, in order.
    public let columnNames: [String]
    /// The projected columns' types in the dataset's schema.
    let columnTypes: [LogicalType]
    /// The filter, if any.
    public let predicate: RowFilter?
    /// The parts left after part pruning, in order, with their scans.
    public let partScans: [PartScan]
    /// Parts dropped by their file statistics.
    public let partsPruned: Int
    /// Chunks in the parts dropped.
    let chunksInPrunedParts: Int
    private let cancelledFlag = Atomic<Bool>(false)

    init(dataset: ColDataset, columns: [String]?, predicate: RowFilter?, batchSize: Int, cache: ChunkCache?) throws(ScanError) {
        self.dataset = dataset
        self.predicate = predicate
        let schema = dataset.schema
        // Bind once against the dataset's schema: an unknown column or a literal of the wrong type is
        // an error even when every part is pruned.
        let bound = try predicate.map { p throws(ScanError) in try BoundFilter.bind(p, schema: schema) }
        var names: [String] = []
        var types: [LogicalType] = []
        let byName = schema.columnIndexByName
        for name in columns ?? schema.columns.map(\.name) {
            guard let j = byName[Array(name.utf8)] else { throw .unknownColumn(name, available: schema.columns.map(\.name)) }
            names.append(schema.columns[j].name)
            types.append(schema.columns[j].type)
        }
        columnNames = names
        columnTypes = types
        var kept: [PartScan] = []
        var pruned = 0, prunedChunks = 0
        for (p, reader) in dataset.parts.enumerated() {
            let layout = dataset.layouts[p]
            if let bound, case .none = bound.proof(layout.statistics(reader.statistics, rows: reader.rowCount)) {
                pruned += 1
                prunedChunks += reader.directory.chunkCount
                continue
            }
            let scan = try Scan(reader: reader, layout: layout, columns: names, predicate: predicate, batchSize: batchSize,
                                cache: cache)
            kept.append(PartScan(part: p, scan: scan))
        }
        partScans = kept
        partsPruned = pruned
        chunksInPrunedParts = prunedChunks
    }

    /// What the scan has done so far, over every part.
    public var metrics: ScanMetrics {
        var m = ScanMetrics()
        m.parts = dataset.parts.count
        m.partsPruned = partsPruned
        m.chunksInPrunedParts = chunksInPrunedParts
        m.chunks = chunksInPrunedParts
        for p in partScans {
            let s = p.scan.metrics
            m.chunks += s.chunks
            m.chunksPruned += s.chunksPruned
            m.chunksRead += s.chunksRead
            m.cacheHits += s.cacheHits
            m.rowsRead += s.rowsRead
            m.rowsMatched += s.rowsMatched
        }
        return m
    }

    /// Bytes read from the parts so far, footers included, and read calls issued.
    public var bytesRead: (bytes: Int, reads: Int) {
        dataset.parts.reduce((0, 0)) { ($0.0 + $1.bytesRead, $0.1 + $1.readCount) }
    }

    /// Stops the scan: the next `next()` throws `ScanError.cancelled`.
    public func cancel() {
        cancelledFlag.store(true, ordering: .relaxed)
        for p in partScans { p.scan.cancel() }
    }

    /// True once `cancel()` was called.
    public var isCancelled: Bool { cancelledFlag.load(ordering: .relaxed) }

    /// The batches, read as they are iterated; each says its part (`Batch.part`).
    public func makeIterator() -> Iterator { Iterator(scan: self) }

    /// The batches as an `AsyncSequence`; cancelling the task (or the scan) ends it with `ScanError.cancelled`.
    public var batches: AsyncBatches<DatasetScan> { AsyncBatches(scan: self) }

    /// A throwing iterator over every part's batches, in part order.
    public struct Iterator: BatchIterator {
        let scan: DatasetScan
        var position = 0
        var current: Scan.Iterator?

        /// The next batch, or nil at the end.
        public mutating func next() throws(ScanError) -> Batch? {
            while true {
                if scan.isCancelled { throw .cancelled }
                if current == nil {
                    guard position < scan.partScans.count else { return nil }
                    current = scan.partScans[position].scan.makeIterator()
                    position += 1
                }
                if var batch = try current?.next() {
                    batch.part = scan.partScans[position - 1].part
                    return batch
                }
                current = nil
            }
        }
    }

    /// Decodes every part's chunks on every core (`Scan.forEachChunk`), one part after another,
    /// and hands each chunk's projected, filtered columns to `body` in dataset order.
    public func forEachChunk(_ body: (_ part: Int, _ chunk: Int, _ columns: [ColumnVector], _ rows: Int) throws(ScanError) -> Void) throws(ScanError) {
        for p in partScans {
            if isCancelled { throw .cancelled }
            try p.scan.forEachChunk { chunk, columns, rows throws(ScanError) in try body(p.part, chunk, columns, rows) }
        }
    }

    /// Every matching row of the projected columns, each column joined into one vector, in dataset order.
    public func readAll() throws(ScanError) -> [ColumnVector] {
        var out = columnTypes.map { ColumnVector(type: $0) }
        try forEachChunk { _, _, columns, _ throws(ScanError) in
            for (j, column) in columns.enumerated() where !out[j].append(contentsOf: column) {
                throw .tooLarge(column: columnNames[j])
            }
        }
        return out
    }
}
