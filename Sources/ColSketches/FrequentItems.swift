// Frequent items (top-k) with exact counts while the number of distinct
// items stays small, and the SpaceSaving algorithm (Metwally et al. 2005)
// once it does not.
//
// Items are keyed by a caller-supplied 64-bit hash; the item itself is
// materialized only when it first takes a slot, so a stream of repeated
// values allocates nothing. In the exact phase every distinct item has a slot
// and `distinctCount` is exact. When the slots would exceed `exactLimit`, the
// `capacity` most frequent are kept and each later unseen item evicts the
// least frequent slot, inheriting its count as an error bound.

/// A mergeable frequent-items sketch.
public struct FrequentItems<Item: Sendable & Equatable>: Sendable {
    /// Slots kept once the sketch has left its exact phase.
    public let capacity: Int
    /// The number of distinct items tracked exactly before switching to SpaceSaving.
    public let exactLimit: Int
    /// The number of values added (or merged in).
    public private(set) var total: UInt64 = 0
    /// True while every distinct item has its own slot with an exact count.
    public private(set) var isExact = true

    private var index: [UInt64: Int] = [:]
    private var hashes: [UInt64] = []
    private(set) var items: [Item] = []
    private var counts: [UInt64] = []
    private var errors: [UInt64] = []

    public init(capacity: Int = 64, exactLimit: Int = 2048) {
        self.capacity = max(capacity, 1)
        self.exactLimit = max(exactLimit, self.capacity)
    }

    /// The exact number of distinct items, while `isExact` holds.
    public var distinctCount: Int? { isExact ? items.count : nil }

    /// Counts one occurrence of the item with this hash; `make` is called only
    /// when the item needs a new slot.
    @inlinable public mutating func add(hash: UInt64, count: UInt64 = 1, _ make: () -> Item) {
        if let slot = slot(for: hash) {
            bump(slot, by: count)
        } else {
            insert(hash: hash, item: make(), count: count, error: 0)
        }
        addTotal(count)
    }

    @usableFromInline func slot(for hash: UInt64) -> Int? { index[hash] }
    @usableFromInline mutating func bump(_ slot: Int, by n: UInt64) { counts[slot] += n }
    @usableFromInline mutating func addTotal(_ n: UInt64) { total += n }

    @usableFromInline mutating func insert(hash: UInt64, item: Item, count: UInt64, error: UInt64) {
        if isExact && items.count >= exactLimit { leaveExactPhase() }
        if isExact || items.count < capacity {
            index[hash] = items.count
            hashes.append(hash)
            items.append(item)
            counts.append(count)
            errors.append(error)
            return
        }
        // SpaceSaving: replace the least frequent slot.
        var minSlot = 0
        for i in 1..<counts.count where counts[i] < counts[minSlot] { minSlot = i }
        let floor = counts[minSlot]
        index[hashes[minSlot]] = nil
        index[hash] = minSlot
        hashes[minSlot] = hash
        items[minSlot] = item
        counts[minSlot] = floor + count
        errors[minSlot] = floor + error
    }

    private mutating func leaveExactPhase() {
        isExact = false
        truncate(to: capacity)
    }

    private mutating func truncate(to n: Int) {
        guard items.count > n else { return }
        let order = (0..<items.count).sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        let kept = order.prefix(n)
        hashes = kept.map { hashes[$0] }
        items = kept.map { items[$0] }
        counts = kept.map { counts[$0] }
        errors = kept.map { errors[$0] }
        index = [:]
        for (i, h) in hashes.enumerated() { index[h] = i }
    }

    /// Folds another sketch into this one. The result stays exact only when
    /// both are exact and their union fits in `exactLimit`.
    public mutating func merge(_ other: FrequentItems<Item>) {
        if !other.isExact && isExact { leaveExactPhase() }
        for i in 0..<other.items.count {
            if let slot = index[other.hashes[i]] {
                counts[slot] += other.counts[i]
                errors[slot] += other.errors[i]
            } else {
                insert(hash: other.hashes[i], item: other.items[i], count: other.counts[i], error: other.errors[i])
            }
        }
        total += other.total
    }

    /// One entry of the top-k list.
    public struct Entry: Sendable {
        public let item: Item
        public let hash: UInt64
        /// The counted occurrences; an upper bound when `error` > 0.
        public let count: UInt64
        /// How much of `count` may come from evicted items.
        public let error: UInt64

        public init(item: Item, hash: UInt64, count: UInt64, error: UInt64) {
            self.item = item
            self.hash = hash
            self.count = count
            self.error = error
        }
    }

    /// The `k` most frequent items, most frequent first (ties by first arrival).
    public func top(_ k: Int) -> [Entry] {
        let order = (0..<items.count).sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        return order.prefix(k).map { Entry(item: items[$0], hash: hashes[$0], count: counts[$0], error: errors[$0]) }
    }

    /// Rebuilds a sketch from stored entries.
    public init(capacity: Int, exactLimit: Int, total: UInt64, isExact: Bool, entries: [Entry]) {
        self.init(capacity: capacity, exactLimit: exactLimit)
        self.total = total
        self.isExact = isExact
        for e in entries where index[e.hash] == nil {
            index[e.hash] = items.count
            hashes.append(e.hash)
            items.append(e.item)
            counts.append(e.count)
            errors.append(e.error)
        }
    }
}
