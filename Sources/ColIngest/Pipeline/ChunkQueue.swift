import Foundation

/// A chunk buffer that can be emptied and reused.
protocol RecyclableChunk: Sendable {
    mutating func reset()
}

/// What a record reader reports at the end of its input.
struct ProducerStats: Sendable {
    /// Records the bad-record policy dropped.
    var rejected: Int
    /// Raw input bytes read.
    var inputBytes: Int
    /// XXH64 of the raw input.
    var hash: UInt64
}

/// A bounded blocking queue of raw chunks between a record reader's thread
/// and the converting thread. Its depth bounds the chunks in flight, and so
/// the memory, whatever the input's size.
final class ChunkQueue<Chunk: RecyclableChunk>: @unchecked Sendable {
    enum Item { case chunk(Chunk), failed(IngestError), finished(ProducerStats) }
    private let condition = NSCondition()
    private var items: [Item] = []
    /// Processed chunks handed back for reuse, so steady state allocates no chunk buffers.
    private var spare: [Chunk] = []
    private let depth: Int
    private(set) var cancelled = false

    init(depth: Int) { self.depth = depth }

    /// Blocks while the queue is full; returns false once the conversion was cancelled.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Hands a processed chunk back to the reader.
    func recycle(_ chunk: consuming Chunk) {
        var c = chunk
        c.reset()
        condition.lock()
        spare.append(c)
        condition.unlock()
    }

    /// A recycled chunk, if one is available.
    func reuse() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast()
    }

    /// Stops the reader: every waiting and later `put` returns false.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
