import ColBytes

// Frequent items (top-k) with exact counts while the number of distinct
// items stays small, and the SpaceSaving algorithm (Metwally et al. 2005)
// once it does not.
//
// Items are keyed by a caller-supplied, well-mixed 64-bit hash; the item
// itself is materialized only when it first takes a slot, so a stream of
// repeated values allocates nothing. In the exact phase every distinct item
// has a slot, found through an open-addressing table, and `distinctCount` is
// exact. When the slots would exceed `exactLimit`, the `capacity` most
// frequent are kept and the sketch switches to SpaceSaving over a sample of
// one occurrence in `sampleRate` (counts are scaled back up): an unseen item
// evicts the least frequent slot and inherits its count as an error bound.
// Sampling keeps high-cardinality columns cheap; heavy hitters survive it.

/// A mergeable frequent-items sketch.
public struct FrequentItems<Item: Sendable & Equatable>: Sendable {
    /// Slots kept once the sketch has left its exact phase.
    public let capacity: Int
    /// The number of distinct items tracked exactly before switching to SpaceSaving.
    public let exactLimit: Int
    /// The number of values added (or merged in); always exact.
    public var total: UInt64 { _total }
    @usableFromInline var _total: UInt64 = 0
    /// True while every distinct item has its own slot with an exact count.
    public var isExact: Bool { _isExact }
    @usableFromInline var _isExact = true
    /// One occurrence in this many is fed to SpaceSaving after the exact phase.
    @inlinable public static var sampleRate: UInt64 { 8 }

    @usableFromInline var hashes: [UInt64] = []
    @usableFromInline var items: [Item] = []
    @usableFromInline var counts: [UInt64] = []
    @usableFromInline var errors: [UInt64] = []
    /// Open addressing over `hashes` (exact phase only): slot index + 1, 0 = empty.
    @usableFromInline var table: [Int32] = []
    @usableFromInline var sampleCounter: UInt64 = 0

    /// A sketch that keeps `capacity` items, counting exactly until `exactLimit` distinct items are seen.
    @inlinable public init(capacity: Int = 64, exactLimit: Int = 2048) {
        self.capacity = max(capacity, 1)
        self.exactLimit = max(exactLimit, self.capacity)
    }

    /// The exact number of distinct items, while `isExact` holds.
    @inlinable public var distinctCount: Int? { isExact ? items.count : nil }

    /// Counts `count` occurrences of the item with this hash; `make` is called
    /// only when the item needs a new slot.
    @inlinable public mutating func add(hash: UInt64, count: UInt64 = 1, _ make: () -> Item) {
        _total +|= count
        if isExact {
            if let slot = find(hash) {
                counts[slot] +|= count
                return
            }
            if items.count < exactLimit {
                append(hash: hash, item: make(), count: count, error: 0)
                return
            }
            leaveExactPhase()
        }
        sampleCounter &+= 1
        guard sampleCounter % Self.sampleRate == 0 else { return }
        spaceSaving(hash: hash, count: count.saturatingMultiplying(by: Self.sampleRate), error: 0, make)
    }

    @inlinable @inline(__always) func find(_ hash: UInt64) -> Int? {
        if isExact {
            guard !table.isEmpty else { return nil }
            let mask = table.count - 1
            var i = Int(truncatingIfNeeded: hash) & mask
            while true {
                let s = Int(table[i])
                if s == 0 { return nil }
                if hashes[s - 1] == hash { return s - 1 }
                i = (i + 1) & mask
            }
        }
        return hashes.withUnsafeBufferPointer { h in
            for i in 0..<h.count where h[i] == hash { return i }
            return nil
        }
    }

    @inlinable mutating func append(hash: UInt64, item: Item, count: UInt64, error: UInt64) {
        hashes.append(hash)
        items.append(item)
        counts.append(count)
        errors.append(error)
        guard isExact else { return }
        if hashes.count * 2 > table.count { rebuildTable(size: max(64, table.count * 2)) } else { place(hashes.count - 1) }
    }

    @inlinable mutating func place(_ slot: Int) {
        let mask = table.count - 1
        var i = Int(truncatingIfNeeded: hashes[slot]) & mask
        while table[i] != 0 { i = (i + 1) & mask }
        table[i] = Int32(slot + 1)
    }

    @inlinable mutating func rebuildTable(size: Int) {
        table = [Int32](repeating: 0, count: size)
        for s in 0..<hashes.count { place(s) }
    }

    @inlinable mutating func spaceSaving(hash: UInt64, count: UInt64, error: UInt64, _ make: () -> Item) {
        if let slot = find(hash) {
            counts[slot] +|= count
            errors[slot] +|= error
            return
        }
        if items.count < capacity {
            append(hash: hash, item: make(), count: count, error: error)
            return
        }
        // The first slot with the smallest count.
        let minSlot = counts.withUnsafeBufferPointer { c in
            var m = 0
            for i in 1..<c.count where c[i] < c[m] { m = i }
            return m
        }
        let floor = counts[minSlot]
        hashes[minSlot] = hash
        items[minSlot] = make()
        counts[minSlot] = floor.saturatingAdding(count)
        errors[minSlot] = floor.saturatingAdding(error)
    }

    @inlinable mutating func leaveExactPhase() {
        _isExact = false
        table = []
        truncate(to: capacity)
    }

    @inlinable mutating func truncate(to n: Int) {
        guard items.count > n else { return }
        let order = (0..<items.count).sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        let kept = order.prefix(n)
        hashes = kept.map { hashes[$0] }
        items = kept.map { items[$0] }
        counts = kept.map { counts[$0] }
        errors = kept.map { errors[$0] }
    }

    /// Folds another sketch into this one. The result stays exact only when
    /// both are exact and their union fits in `exactLimit`.
    @inlinable public mutating func merge(_ other: FrequentItems<Item>) {
        if !other.isExact && isExact { leaveExactPhase() }
        for i in 0..<other.items.count {
            let item = other.items[i]
            if isExact {
                if let slot = find(other.hashes[i]) {
                    counts[slot] +|= other.counts[i]
                    continue
                }
                if items.count < exactLimit {
                    append(hash: other.hashes[i], item: item, count: other.counts[i], error: other.errors[i])
                    continue
                }
                leaveExactPhase()
            }
            spaceSaving(hash: other.hashes[i], count: other.counts[i], error: other.errors[i]) { item }
        }
        _total +|= other.total
    }

    /// One entry of the top-k list.
    public struct Entry: Sendable {
        /// The value.
        public let item: Item
        /// The value's hash, which identifies it when merging.
        public let hash: UInt64
        /// The counted occurrences; an estimate when the sketch is not exact.
        public let count: UInt64
        /// How much of `count` may come from evicted items.
        public let error: UInt64

        /// An entry as read back or merged.
        public init(item: Item, hash: UInt64, count: UInt64, error: UInt64) {
            self.item = item
            self.hash = hash
            self.count = count
            self.error = error
        }
    }

    /// The `k` most frequent items, most frequent first (ties by first arrival).
    @inlinable public func top(_ k: Int) -> [Entry] {
        let order = (0..<items.count).sorted { counts[$0] > counts[$1] || (counts[$0] == counts[$1] && $0 < $1) }
        return order.prefix(k).map { Entry(item: items[$0], hash: hashes[$0], count: counts[$0], error: errors[$0]) }
    }

    /// Rebuilds a sketch from stored entries.
    @inlinable public init(capacity: Int, exactLimit: Int, total: UInt64, isExact: Bool, entries: [Entry]) {
        self.init(capacity: capacity, exactLimit: exactLimit)
        self._isExact = isExact
        // Sized once: a table at least twice the entries never grows while they go in.
        hashes.reserveCapacity(entries.count)
        items.reserveCapacity(entries.count)
        counts.reserveCapacity(entries.count)
        errors.reserveCapacity(entries.count)
        if isExact {
            var size = 64
            while size < 2 * entries.count { size *= 2 }
            table = [Int32](repeating: 0, count: size)
        }
        for e in entries where find(e.hash) == nil {
            append(hash: e.hash, item: e.item, count: e.count, error: e.error)
        }
        self._total = total
    }
}
