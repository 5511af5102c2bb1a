import ColFormat

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
/// and the converting thread. It bounds the chunk buffers in existence, and so
/// the memory, whatever the input's size: `buffers` chunks at most (one being
/// converted, one being filled), handed back and forth through `recycle` and
/// `reuse`, and at most `depth` waiting in between.
final class ChunkQueue<Chunk: RecyclableChunk>: @unchecked Sendable {
    enum Item { case chunk(Chunk), failed(IngestError), finished(ProducerStats) }
    private let condition = PThreadCondition()
    private var items: [Item] = []
    /// Processed chunks handed back for reuse, so steady state allocates no chunk buffers.
    private var spare: [Chunk] = []
    private let depth: Int
    private let buffers: Int
    /// Chunk buffers handed out so far (made by the reader when `reuse` returned nil).
    private var made = 0
    private(set) var cancelled = false

    init(depth: Int, buffers: Int = 2) {
        self.depth = depth
        self.buffers = max(buffers, 1)
    }

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
        condition.broadcast()
        condition.unlock()
    }

    /// A recycled chunk; nil when the reader may make a new one. Blocks while every
    /// buffer allowed is in use, until one is recycled or the conversion is cancelled.
    func reuse() -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while spare.isEmpty && made >= buffers && !cancelled { condition.wait() }
        if let c = spare.popLast() { return c }
        made += 1
        return nil
    }

    /// Frees the recycled chunk buffers once the reader has finished: the footer is written
    /// after the last chunk, and needs their memory more than a reader that is gone.
    func releaseBuffers() {
        condition.lock()
        spare.removeAll()
        condition.unlock()
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
