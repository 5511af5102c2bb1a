import ColFormat
@testable import ColIngest
import Foundation
import Synchronization
import TestSupport
import Testing

/// What keeps a conversion's memory bounded by the chunk size: two raw chunk
/// buffers at most, and a shared budget for exactly counted distinct values.
@Suite("Memory bounds of a conversion")
struct MemoryBoundTests {
    struct Chunk: RecyclableChunk {
        var id: Int
        mutating func reset() {}
    }

    @Test("the reader gets two chunk buffers, and waits for a third until one is recycled")
    func twoBuffers() async throws {
        let queue = ChunkQueue<Chunk>(depth: 1)
        #expect(queue.reuse() == nil)  // make the first
        #expect(queue.reuse() == nil)  // make the second
        let got = Mutex<Int?>(nil)
        let thread = Thread {
            let c = queue.reuse()
            got.withLock { $0 = c?.id ?? -1 }
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(200))
        #expect(got.withLock { $0 } == nil, "a third buffer was handed out while two were in use")
        queue.recycle(Chunk(id: 7))
        for _ in 0..<100 where got.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        #expect(got.withLock { $0 } == 7)
    }

    @Test("a cancelled conversion never leaves the reader waiting for a buffer")
    func cancelReleasesTheReader() async throws {
        let queue = ChunkQueue<Chunk>(depth: 1, buffers: 1)
        #expect(queue.reuse() == nil)
        let done = Mutex(false)
        let thread = Thread {
            _ = queue.reuse()
            done.withLock { $0 = true }
        }
        thread.start()
        try await Task.sleep(for: .milliseconds(100))
        #expect(!done.withLock { $0 })
        queue.cancel()
        for _ in 0..<100 where !done.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        #expect(done.withLock { $0 })
    }

    @Test("the exact distinct limit is 2,048 up to 64 columns, then shared, never below the top-k size")
    func exactDistinctLimit() {
        #expect(ColumnStatistics.exactDistinctLimit(columns: 1) == 2048)
        #expect(ColumnStatistics.exactDistinctLimit(columns: 64) == 2048)
        #expect(ColumnStatistics.exactDistinctLimit(columns: 65) == (1 << 17) / 65)
        #expect(ColumnStatistics.exactDistinctLimit(columns: 1000) == 131)
        #expect(ColumnStatistics.exactDistinctLimit(columns: 100_000) == ColumnStatistics.fileTopK)
    }

    @Test("in a wide file, a column with more distinct values than its share is estimated, a narrow one counts exactly")
    func wideFilesShareTheBudget() throws {
        let s = Scratch()
        // 200 distinct values in column c0; 1,000 columns give each 131 exact slots.
        func table(columns: Int) -> String {
            var text = (0..<columns).map { "c\($0)" }.joined(separator: ",") + "\n"
            for r in 0..<400 { text += ([String(r % 200)] + Array(repeating: "x", count: columns - 1)).joined(separator: ",") + "\n" }
            return text
        }
        for (columns, exact) in [(1000, false), (16, true)] {
            let out = s.file("w\(columns).col")
            _ = try convert(s.write("w\(columns).csv", table(columns: columns)), out)
            let stats = try ColFileReader(path: out).statistics[0]
            #expect(stats.distinctExact == exact)
            let d = Double(stats.distinctCount ?? 0)
            #expect(abs(d - 200) <= (exact ? 0 : 200 * 0.05), "distinct \(d) at \(columns) columns")
            #expect(stats.frequent?.exactLimit == ColumnStatistics.exactDistinctLimit(columns: columns))
        }
    }
}
