import ColFormat
import Synchronization

/// Decoded column blocks kept between scans, bounded in bytes, least recently used out first.
///
/// Keyed by the file's path and identity (size and footer offset) with the
/// chunk and column, so a rewritten file is not served stale blocks. Safe to
/// share between threads and scans.
public final class ChunkCache: Sendable {
    struct Key: Hashable {
        var path: String
        var size: Int
        var footer: Int
        var chunk: Int
        var column: Int
    }

    struct State {
        var entries: [Key: (vector: ColumnVector, bytes: Int, tick: UInt64)] = [:]
        var bytes = 0
        var tick: UInt64 = 0
        var hits = 0
        var misses = 0
    }

    /// The most decoded bytes kept.
    public let capacityBytes: Int
    private let state = Mutex(State())

    /// A cache holding at most `capacityBytes` of decoded columns (0 holds nothing).
    public init(capacityBytes: Int) { self.capacityBytes = max(0, capacityBytes) }

    /// Bytes held now.
    public var bytes: Int { state.withLock { $0.bytes } }
    /// Lookups served from the cache.
    public var hits: Int { state.withLock { $0.hits } }
    /// Lookups that had to read the file.
    public var misses: Int { state.withLock { $0.misses } }

    static func size(_ v: ColumnVector) -> Int {
        v.validityWords.count * 8 + v.bools.count + v.int64s.count * 8 + v.dates.count * 4 + v.float64s.count * 8
            + v.offsets.count * 4 + v.bytes.count
    }

    static func key(_ r: ColFileReader, _ chunk: Int, _ column: Int) -> Key {
        Key(path: r.path, size: r.fileSize, footer: r.footerOffset, chunk: chunk, column: column)
    }

    func get(reader: ColFileReader, chunk: Int, column: Int) -> ColumnVector? {
        state.withLock { s in
            let k = Self.key(reader, chunk, column)
            guard let e = s.entries[k] else { s.misses += 1; return nil }
            s.tick += 1
            s.entries[k] = (e.vector, e.bytes, s.tick)
            s.hits += 1
            return e.vector
        }
    }

    func put(_ v: ColumnVector, reader: ColFileReader, chunk: Int, column: Int) {
        let size = Self.size(v)
        guard size <= capacityBytes else { return }
        state.withLock { s in
            let k = Self.key(reader, chunk, column)
            if let old = s.entries[k] { s.bytes -= old.bytes }
            s.tick += 1
            s.entries[k] = (v, size, s.tick)
            s.bytes += size
            while s.bytes > capacityBytes, let victim = s.entries.min(by: { $0.value.tick < $1.value.tick }) {
                s.bytes -= victim.value.bytes
                s.entries[victim.key] = nil
            }
        }
    }
}
