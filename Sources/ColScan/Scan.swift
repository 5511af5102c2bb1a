import ColFormat
import Synchronization

/// An error planning or running a scan.
public enum ScanError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownColumn(String, available: [String])
    case typeMismatch(column: String, type: LogicalType, literal: String)
    /// A `--where` text that does not parse: the message and the 0-based character offset.
    case syntax(String, at: Int)
    case file(ColFileError)
    /// A path that is neither a .col file nor a folder holding some.
    case notFound(String)
    case cancelled
    /// A column whose text, joined across chunks, passes the 4 GiB that 32-bit offsets reach.
    case tooLarge(column: String)

    /// The error in words.
    public var description: String {
        switch self {
        case let .unknownColumn(c, available): "no column '\(c)' (columns: \(available.joined(separator: ", ")))"
        case let .typeMismatch(c, t, l): "column '\(c)' is \(t.name); \(l) is not a \(t.name) value"
        case let .syntax(m, at): "\(m) at character \(at + 1)"
        case let .file(e): e.description
        case let .notFound(path): "\(path): no such .col file or folder of .col files"
        case .cancelled: "the scan was cancelled"
        case let .tooLarge(c): "column '\(c)' has more than 4 GiB of text, more than one column holds; read it in batches"
        }
    }
}

/// The rows of one batch: the projected columns, typed, with validity.
///
/// Each column is a `ColumnVector`: `int64s`, `float64s`, `bools`, `dates`
/// (days), `int64s` for timestamps (microseconds), and for strings `offsets`
/// into `bytes` (no `String` is made unless `string(at:)` is called).
/// Chunks stored in a narrower type arrive upcast to the column's type.
public struct Batch: Sendable {
    /// The projected columns' names, in the order asked for.
    public let names: [String]
    /// The projected columns, in the order asked for, upcast to their logical types.
    public let columns: [ColumnVector]
    /// Rows in the batch.
    public let count: Int
    /// The chunk the rows come from, and the row of the file where the chunk starts.
    public let chunk: Int
    /// The file row of the batch's chunk's first row.
    public let chunkFirstRow: UInt64
    /// The part of a dataset the rows come from (`ColDataset.parts`); 0 for a scan of one file.
    public internal(set) var part = 0

    /// The column called `name`.
    public func column(_ name: String) -> ColumnVector? {
        let key = Array(name.utf8)
        return names.firstIndex { Array($0.utf8) == key }.map { columns[$0] }
    }
}

/// What a scan did, for `--explain` and for tests: of one file, or summed over a dataset's parts.
public struct ScanMetrics: Sendable {
    /// Files scanned: 1 for a scan of one file, the parts of a dataset.
    public var parts = 1
    /// Parts skipped because their file statistics prove that no row matches (datasets only).
    public var partsPruned = 0
    /// Chunks in the pruned parts: neither they nor their chunk statistics are read.
    public var chunksInPrunedParts = 0
    /// Chunks in the file or the dataset, pruned parts included.
    public var chunks = 0
    /// Chunks skipped, in the parts left, because their statistics prove that no row matches.
    public var chunksPruned = 0
    /// Chunks read from the file or the cache.
    public var chunksRead = 0
    /// Blocks served from the chunk cache.
    public var cacheHits = 0
    /// Rows in the chunks read.
    public var rowsRead = 0
    /// Rows the filter kept.
    public var rowsMatched = 0
}

/// A planned scan of one file: the columns to return, the filter, and the
/// chunks left after pruning (docs/API.md).
///
/// Iterating reads, for each surviving chunk, only the blocks of the
/// projected and filtered columns (one `pread` each, checksum verified),
/// filters the rows exactly, and yields batches of at most `batchSize` rows.
/// Memory holds one chunk's blocks of those columns at a time.
public final class Scan: Sendable {
    /// The file scanned.
    public let reader: ColFileReader
    /// The columns the scan reads in, and where each is in the file.
    let layout: ColumnLayout
    /// The schema rows are read in: the file's own, or its dataset's (`ColDataset.schema`).
    public var schema: Schema { layout.schema }
    /// The projected columns' names, in order.
    public let columnNames: [String]
    /// The projected columns' indices in the schema.
    public let columnIndices: [Int]
    /// The filter, if any.
    public let predicate: RowFilter?
    let bound: BoundFilter?
    /// The most rows in one batch.
    public let batchSize: Int
    /// The chunks that may hold matching rows, in order.
    public let chunks: [Int]
    let cache: ChunkCache?
    private let cancelledFlag = Atomic<Bool>(false)
    private let stats = Mutex(ScanMetrics())

    /// Plans a scan of `reader` read in `layout`: the file's own schema, or a dataset's
    /// (`ColDataset`), with the file's column for each of its columns.
    init(reader: ColFileReader, layout: ColumnLayout, columns: [String]?, predicate: RowFilter?, batchSize: Int,
         cache: ChunkCache?) throws(ScanError) {
        self.reader = reader
        self.layout = layout
        let schema = layout.schema
        var indices: [Int] = []
        let byName = schema.columnIndexByName
        for name in columns ?? schema.columns.map(\.name) {
            guard let j = byName[Array(name.utf8)] else {
                throw .unknownColumn(name, available: schema.columns.map(\.name))
            }
            indices.append(j)
        }
        columnIndices = indices
        columnNames = indices.map { schema.columns[$0].name }
        self.predicate = predicate
        bound = try predicate.map { p throws(ScanError) in try BoundFilter.bind(p, schema: schema) }
        self.batchSize = max(1, batchSize)
        self.cache = cache
        // Pruning, from the chunk statistics (part of the footer).
        var kept: [Int] = []
        var metrics = ScanMetrics()
        metrics.chunks = reader.directory.chunkCount
        if let bound {
            let perChunk: [[ColumnStatistics]]
            do { perChunk = try reader.chunkStatistics() } catch { throw .file(error) }
            for (c, chunkStats) in perChunk.enumerated() {
                let logical = layout.statistics(chunkStats, rows: UInt64(reader.directory.chunkRowCounts[c]))
                if case .none = bound.proof(logical) { metrics.chunksPruned += 1 } else { kept.append(c) }
            }
        } else {
            kept = Array(0..<reader.directory.chunkCount)
        }
        chunks = kept
        stats.withLock { $0 = metrics }
    }

    /// What the scan has done so far.
    public var metrics: ScanMetrics { stats.withLock { $0 } }

    /// Stops the scan: the next `next()` throws `ScanError.cancelled`.
    public func cancel() { cancelledFlag.store(true, ordering: .relaxed) }
    /// True once `cancel()` was called.
    public var isCancelled: Bool { cancelledFlag.load(ordering: .relaxed) }

    /// The batches, read as they are iterated.
    public func makeIterator() -> Iterator { Iterator(scan: self) }

    /// The batches as an `AsyncSequence`; cancelling the task (or the scan) ends it with `ScanError.cancelled`.
    public var batches: AsyncBatches<Scan> { AsyncBatches(scan: self) }

    /// A throwing iterator: `while let batch = try it.next() { … }`.
    public struct Iterator {
        let scan: Scan
        var position = 0
        var pending: [Batch] = []

        /// The next batch, or nil at the end.
    public mutating func next() throws(ScanError) -> Batch? {
            if scan.isCancelled { throw .cancelled }
            while pending.isEmpty {
                guard position < scan.chunks.count else { return nil }
                let chunk = scan.chunks[position]
                position += 1
                pending = try scan.read(chunk: chunk).reversed()
            }
            return pending.removeLast()
        }
    }

    /// The columns a chunk's scan decodes: the projected ones and the filter's, in schema order.
    var neededColumns: [Int] { Set(columnIndices).union(bound?.columns ?? []).sorted() }

    /// Decodes one column of one chunk, through the cache; returns it and whether the cache had it.
    /// A column the file lacks reads as nulls; a narrower one is upcast to the layout's type.
    func decode(chunk: Int, column j: Int) throws(ScanError) -> (ColumnVector, cached: Bool) {
        let type = layout.schema.columns[j].type
        guard let source = layout.sources[j] else {
            return (ColumnVector.nulls(type: type, count: Int(reader.directory.chunkRowCounts[chunk])), false)
        }
        if let cached = cache?.get(reader: reader, chunk: chunk, column: source) { return (cached.upcast(to: type), true) }
        let v: ColumnVector
        do { v = try reader.readColumn(chunk: chunk, column: source) } catch { throw .file(error) }
        cache?.put(v, reader: reader, chunk: chunk, column: source)
        return (v.upcast(to: type), false)
    }

    /// Reads and filters one chunk, in batches.
    func read(chunk: Int) throws(ScanError) -> [Batch] {
        var vectors = [ColumnVector?](repeating: nil, count: layout.schema.columns.count)
        var hits = 0
        for j in neededColumns {
            let (v, cached) = try decode(chunk: chunk, column: j)
            vectors[j] = v
            if cached { hits += 1 }
        }
        let (projected, matched) = filter(chunk: chunk, vectors, cacheHits: hits)
        let firstRow = reader.directory.chunkFirstRows[chunk]
        var out: [Batch] = []
        var start = 0
        while start < matched {
            let end = min(start + batchSize, matched)
            let cols = start == 0 && end == matched ? projected : projected.map { $0.slice(start..<end) }
            out.append(Batch(names: columnNames, columns: cols, count: end - start, chunk: chunk, chunkFirstRow: firstRow))
            start = end
        }
        return out
    }

    /// The projected columns of a chunk whose needed columns are decoded in `vectors` (indexed
    /// by schema position), with only the rows the filter keeps; counts the chunk as read.
    func filter(chunk: Int, _ vectors: [ColumnVector?], cacheHits hits: Int) -> (columns: [ColumnVector], rows: Int) {
        let rows = Int(reader.directory.chunkRowCounts[chunk])
        var selected: [Int]?
        if let bound {
            let truth = bound.evaluate(vectors, rows: rows)
            var keep: [Int] = []
            keep.reserveCapacity(rows)
            for i in 0..<rows where truth[i] == 1 { keep.append(i) }
            if keep.count < rows { selected = keep }
        }
        let matched = selected?.count ?? rows
        stats.withLock {
            $0.chunksRead += 1
            $0.cacheHits += hits
            $0.rowsRead += rows
            $0.rowsMatched += matched
        }
        let projected = columnIndices.map { j -> ColumnVector in
            let v = vectors[j] ?? ColumnVector.nulls(type: layout.schema.columns[j].type, count: rows)
            return selected.map { v.gathering($0) } ?? v
        }
        return (projected, matched)
    }
}

/// A planned scan that yields batches: a `Scan` of one file or a `DatasetScan`.
public protocol BatchSource: AnyObject, Sendable {
    /// Its throwing iterator.
    associatedtype Iterator: BatchIterator
    /// The batches, read as they are iterated.
    func makeIterator() -> Iterator
    /// Stops the scan: the next `next()` throws `ScanError.cancelled`.
    func cancel()
}

/// Reads batches one after another.
public protocol BatchIterator {
    /// The next batch, or nil at the end.
    mutating func next() throws(ScanError) -> Batch?
}

extension Scan: BatchSource {}
extension Scan.Iterator: BatchIterator {}

/// The batches of a scan (of a file or of a dataset) as an `AsyncSequence`.
public struct AsyncBatches<Source: BatchSource>: AsyncSequence, Sendable {
    /// Scans yield batches.
    public typealias Element = Batch
    let scan: Source

    /// An iterator that reads on the calling task.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(scan: scan, inner: scan.makeIterator()) }

    /// Iterates a scan from async code.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let scan: Source
        var inner: Source.Iterator

        /// The next batch, or nil at the end (nil after cancellation).
        public mutating func next() async throws(ScanError) -> Batch? {
            if Task.isCancelled { scan.cancel() }
            return try inner.next()
        }

        /// The next batch, on the caller's actor.
        public mutating func next(isolation actor: isolated (any Actor)?) async throws(ScanError) -> Batch? {
            if Task.isCancelled { scan.cancel() }
            return try inner.next()
        }
    }
}

extension ColFileReader {
    /// Plans a scan: `columns` (nil for all) in that order, rows matching `predicate`,
    /// in batches of at most `batchSize` rows. Pruning happens here, from the footer.
    public func scan(columns: [String]? = nil, where predicate: RowFilter? = nil, batchSize: Int = 65_536,
                     cache: ChunkCache? = nil) throws(ScanError) -> Scan {
        try Scan(reader: self, layout: ColumnLayout(file: self), columns: columns, predicate: predicate, batchSize: batchSize,
                 cache: cache)
    }
}
