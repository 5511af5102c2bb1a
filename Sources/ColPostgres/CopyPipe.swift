import ColFormat

/// Buffers of COPY data between the thread that decodes and encodes chunks and the thread that
/// sends them, so that the server parses one buffer while the next is made (docs/POSTGRES.md,
/// "Speed"). At most `depth` buffers wait; sent buffers come back for reuse, so memory holds
/// `depth + 2` buffers and one chunk, however large the file.
final class CopyPipe: @unchecked Sendable {
    enum Item {
        /// Bytes, and the rows encoded up to their end.
        case data([UInt8], rows: UInt64)
        case failed(any Error)
        case finished
    }

    private let condition = PThreadCondition()
    private var items: [Item] = []
    private var spare: [[UInt8]] = []
    private let depth: Int
    private var stopped = false

    init(depth: Int = 3) { self.depth = depth }

    /// Blocks while `depth` buffers wait; false once the receiver has stopped.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for it.
    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// A buffer to fill: an emptied one that was sent, or a new one.
    func buffer() -> [UInt8] {
        condition.lock()
        defer { condition.unlock() }
        if var b = spare.popLast() {
            b.removeAll(keepingCapacity: true)
            return b
        }
        return []
    }

    /// Hands a sent buffer back.
    func recycle(_ b: [UInt8]) {
        condition.lock()
        spare.append(b)
        condition.unlock()
    }

    /// The receiver gives up (the send failed): the producer's next `put` returns false.
    func stop() {
        condition.lock()
        stopped = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
