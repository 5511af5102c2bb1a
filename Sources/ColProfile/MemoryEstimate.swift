import ColBytes
#if canImport(Glibc)
import Glibc
#endif
import ColFormat
import ColText

/// An in-memory layout the loaded data is estimated for (docs/PROFILE.md, "Memory").
public enum InMemoryLayout: String, Sendable, CaseIterable {
    /// Apache Arrow with 32-bit string offsets, strings decoded (pyarrow's default).
    case arrow
    /// Apache Arrow with 64-bit string offsets (`large_string`).
    case arrowLarge = "arrow-large"
    /// Arrow with strings dictionary-encoded per chunk (a reader that keeps the dictionary).
    case arrowDictionary = "arrow-dict"
    /// This project's `ColumnVector` batches.
    case swift
}

/// The estimated in-memory size of one column under a layout.
public struct ColumnMemory: Sendable {
    /// The buffers' sizes, as Arrow's `nbytes` counts them.
    public var bytes: UInt64 = 0
    /// With each buffer rounded up to its allocation (64 bytes for Arrow; Swift arrays have a 32-byte header).
    public var allocatedBytes: UInt64 = 0
}

/// The estimate for a dataset and the advice that follows from it.
public struct MemoryEstimate: Sendable {
    /// The in-memory layout estimated for.
    public let layout: InMemoryLayout
    /// One estimate per dataset column, in order.
    public let columns: [ColumnMemory]
    /// The buffers' sizes, summed over the columns.
    public var bytes: UInt64 { columns.reduce(0) { $0.saturatingAdding($1.bytes) } }
    /// The allocations' sizes, summed over the columns.
    public var allocatedBytes: UInt64 { columns.reduce(0) { $0.saturatingAdding($1.allocatedBytes) } }

    /// Estimates from the footers' directory alone (docs/PROFILE.md, "Memory").
    public init(_ dataset: Dataset, layout: InMemoryLayout) {
        self.layout = layout
        var out: [ColumnMemory] = []
        // Each part's columns by name, built once (a lookup per column and part would be quadratic).
        let partIndex = dataset.parts.map(\.reader.schema.columnIndexByName)
        for (k, c) in dataset.columns.enumerated() {
            var m = ColumnMemory()
            let key = Array(c.name.utf8)
            for (p, part) in dataset.parts.enumerated() {
                let r = part.reader
                guard let j = partIndex[p][key] else {
                    // The part lacks the column: all of its rows are null.
                    for chunk in 0..<r.directory.chunkCount {
                        let rows = Int(r.directory.chunkRowCounts[chunk])
                        Self.add(&m, layout: layout, type: c.type, rows: rows, nulls: rows, text: 0, distinct: 0)
                    }
                    continue
                }
                for chunk in 0..<r.directory.chunkCount {
                    let e = r.directory.entry(chunk: chunk, column: j)
                    let rows = Int(e.rowCount)
                    let nulls = e.isAbsent ? rows : Int(e.nullCount)
                    var text = 0
                    if c.type.isVariableLength {
                        if e.physicalType.isVariableLength && !e.isAbsent {
                            // decoded = 4·(rows+1) + text + validity
                            text = Int(clamping: e.decodedBytes) - 4 * (rows + 1) - (nulls > 0 ? (rows + 7) / 8 : 0)
                        } else if !e.isAbsent {
                            // Values stored narrower read as their canonical text: about their fixed width each.
                            text = (rows - nulls) * max(e.physicalType.fixedWidth, 4)
                        }
                    }
                    let distinct = Self.chunkDistinct(dataset.columns[k].statistics, rows: rows - nulls)
                    Self.add(&m, layout: layout, type: c.type, rows: rows, nulls: nulls, text: max(text, 0), distinct: distinct)
                }
            }
            out.append(m)
        }
        columns = out
    }

    /// A chunk's distinct values, bounded by the file's count and the chunk's values.
    static func chunkDistinct(_ s: ColumnStatistics, rows: Int) -> Int {
        min(Int(clamping: s.distinctCount ?? UInt64(rows)), rows)
    }

    static func arrowBuffer(_ m: inout ColumnMemory, _ size: Int) {
        m.bytes +|= UInt64(size)
        m.allocatedBytes +|= UInt64((size + 63) & ~63)
    }

    static func swiftArray(_ m: inout ColumnMemory, _ size: Int) {
        m.bytes +|= UInt64(size)
        m.allocatedBytes +|= UInt64(size + 32)
    }

    static func add(_ m: inout ColumnMemory, layout: InMemoryLayout, type: LogicalType, rows: Int, nulls: Int, text: Int, distinct: Int) {
        switch layout {
        case .arrow, .arrowLarge, .arrowDictionary:
            if type == .null { return }
            if nulls > 0 { arrowBuffer(&m, (rows + 7) / 8) }
            switch type {
            case .bool: arrowBuffer(&m, (rows + 7) / 8)
            case .string, .json:
                if layout == .arrowDictionary {
                    // int32 indices, plus the chunk's distinct values with their offsets.
                    let average = rows > nulls ? Double(text) / Double(rows - nulls) : 0
                    arrowBuffer(&m, 4 * rows)
                    arrowBuffer(&m, 4 * (distinct + 1))
                    arrowBuffer(&m, Int((Double(distinct) * average).rounded()))
                } else {
                    arrowBuffer(&m, (layout == .arrowLarge ? 8 : 4) * (rows + 1))
                    arrowBuffer(&m, text)
                }
            default: arrowBuffer(&m, type.fixedWidth * rows)
            }
        case .swift:
            swiftArray(&m, 8 * ((rows + 63) / 64))
            switch type {
            case .null: break
            case .bool: swiftArray(&m, rows)
            case .string, .json:
                swiftArray(&m, 4 * (rows + 1))
                swiftArray(&m, text)
            default: swiftArray(&m, type.fixedWidth * rows)
            }
        }
    }
}

/// How to load a dataset, from its estimated size and the memory available now.
public struct LoadAdvice: Sendable {
    /// How to load.
    public enum Strategy: String, Sendable {
        /// Load every column at once.
        case eager
        /// Scan lazily, reading only the columns (and chunks) a query needs.
        case lazy
        /// Stream batch by batch; never hold the whole table.
        case stream
    }

    /// The share of available memory treated as usable (the rest is the safety margin).
    public static let safeFraction = 0.8
    /// Eager up to this share of safe memory.
    public static let eagerLimit = 0.65
    /// Streaming above this share of safe memory.
    public static let streamLimit = 2.0

    /// The advice.
    public let strategy: Strategy
    /// The estimated size loaded.
    public let neededBytes: UInt64
    /// The memory available now.
    public let availableBytes: UInt64
    /// The memory treated as usable: `availableBytes` times `safeFraction`.
    public var safeBytes: UInt64 { UInt64(Double(availableBytes) * Self.safeFraction) }
    /// Needed over safe.
    public var ratio: Double { safeBytes == 0 ? .infinity : Double(neededBytes) / Double(safeBytes) }

    /// Advises for a size and the memory available.
    public init(neededBytes: UInt64, availableBytes: UInt64) {
        self.neededBytes = neededBytes
        self.availableBytes = availableBytes
        let r = Double(availableBytes) * Self.safeFraction == 0 ? Double.infinity
            : Double(neededBytes) / (Double(availableBytes) * Self.safeFraction)
        strategy = r <= Self.eagerLimit ? .eager : r <= Self.streamLimit ? .lazy : .stream
    }

    /// `MemAvailable` from /proc/meminfo, in bytes, or nil when it cannot be read.
    public static func availableMemory() -> UInt64? {
        guard let f = fopen("/proc/meminfo", "r") else { return nil }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), f) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text.hasPrefix("MemAvailable:") else { continue }
            let digits = text.dropFirst("MemAvailable:".count).filter { $0.isNumber }
            return UInt64(digits).map { $0 * 1024 }
        }
        return nil
    }
}
