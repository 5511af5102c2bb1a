// The statistics record (docs/FORMAT.md §5.1).

import ColBytes
import ColSketches

extension ColumnStatistics {
    // MARK: serialization

    struct Presence: OptionSet {
        let rawValue: UInt16
        static let min = Presence(rawValue: 1 << 0)
        static let max = Presence(rawValue: 1 << 1)
        static let distinct = Presence(rawValue: 1 << 2)
        static let moments = Presence(rawValue: 1 << 3)
        static let lengths = Presence(rawValue: 1 << 4)
        static let quantiles = Presence(rawValue: 1 << 5)
        static let frequent = Presence(rawValue: 1 << 6)
        static let hll = Presence(rawValue: 1 << 7)
        static let ingestion = Presence(rawValue: 1 << 8)
        static let minExact = Presence(rawValue: 1 << 9)
        static let maxExact = Presence(rawValue: 1 << 10)
        static let distinctExact = Presence(rawValue: 1 << 11)
    }

    /// Appends the statistics record (docs/FORMAT.md §5.1).
    public func serialize(into w: inout ByteWriter) {
        var p: Presence = []
        if min != nil { p.insert(.min) }
        if max != nil { p.insert(.max) }
        if distinctCount != nil { p.insert(.distinct) }
        if moments != nil { p.insert(.moments) }
        if lengthMin != nil && lengthMax != nil && lengthTotal != nil { p.insert(.lengths) }
        if quantiles != nil { p.insert(.quantiles) }
        if frequent != nil { p.insert(.frequent) }
        if hll != nil { p.insert(.hll) }
        if ingestion != nil { p.insert(.ingestion) }
        if minExact { p.insert(.minExact) }
        if maxExact { p.insert(.maxExact) }
        if distinctExact { p.insert(.distinctExact) }
        w.write(type.rawValue)
        w.write(p.rawValue)
        w.writeVarint(rowCount)
        w.writeVarint(nullCount)
        w.writeVarint(nanCount)
        w.writeVarint(decodedBytes)
        min?.serialize(into: &w)
        max?.serialize(into: &w)
        if let distinctCount { w.writeVarint(distinctCount) }
        moments?.serialize(into: &w)
        if p.contains(.lengths), let lengthMin, let lengthMax, let lengthTotal {
            w.writeVarint(lengthMin)
            w.writeVarint(lengthMax)
            w.writeVarint(lengthTotal)
        }
        quantiles?.serialize(into: &w)
        if let f = frequent {
            // A complete list (exact, every distinct value present) is stored whole. Otherwise
            // values seen once carry no information and are left out, and the list is not exact.
            var top = f.top(f.capacity)
            let complete = f.isExact && top.count == f.distinctCount
            if !complete { top = top.filter { $0.count > 1 } }
            w.writeVarint(f.capacity)
            w.writeVarint(f.exactLimit)
            w.writeVarint(f.total)
            w.write(UInt8(complete ? 1 : 0))
            w.writeVarint(top.count)
            for e in top {
                Self.shortened(e.item).serialize(into: &w)
                w.write(e.hash)
                w.writeVarint(e.count)
                w.writeVarint(e.error)
            }
        }
        hll?.serialize(into: &w)
        ingestion?.serialize(into: &w)
    }

    /// A top value as stored: text over `Layout.maxStatisticsTextBytes` is cut to a prefix at a
    /// UTF-8 boundary (its hash, stored beside it, still identifies the whole value).
    static func shortened(_ value: Scalar) -> Scalar {
        let limit = Layout.maxStatisticsTextBytes
        func cut(_ b: [UInt8]) -> [UInt8] {
            var n = limit
            while n > 0 && b[n] & 0xC0 == 0x80 { n -= 1 }
            return Array(b[0..<n])
        }
        switch value {
        case let .string(b) where b.count > limit: return .string(cut(b))
        case let .json(b) where b.count > limit: return .json(cut(b))
        default: return value
        }
    }

    /// Reads a statistics record, checking its counts.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> ColumnStatistics {
        let at = r.offset
        guard let type = LogicalType(rawValue: try r.readUInt8()) else { throw .invalid("statistics type", offset: at) }
        let p = Presence(rawValue: try r.read(UInt16.self))
        guard p.rawValue < 1 << 12 else { throw .invalid("statistics presence flags", offset: at + 1) }
        var s = ColumnStatistics(type: type)
        s.rowCount = try r.readVarint()
        s.nullCount = try r.readVarint()
        s.nanCount = try r.readVarint()
        guard s.nullCount <= s.rowCount, s.nanCount <= s.rowCount - s.nullCount else {
            throw .invalid("null/NaN counts exceed row count", offset: at)
        }
        s.decodedBytes = try r.readVarint()
        if p.contains(.min) { s.min = try Scalar.deserialize(from: &r) }
        if p.contains(.max) { s.max = try Scalar.deserialize(from: &r) }
        if p.contains(.distinct) { s.distinctCount = try r.readVarint() }
        if p.contains(.moments) { s.moments = try Moments.deserialize(from: &r) }
        if p.contains(.lengths) {
            s.lengthMin = try r.readVarint()
            s.lengthMax = try r.readVarint()
            s.lengthTotal = try r.readVarint()
        }
        if p.contains(.quantiles) { s.quantiles = try KLLSketch.deserialize(from: &r) }
        if p.contains(.frequent) {
            let capacity = try r.readCount(limit: 1 << 16)
            let exactLimit = try r.readCount(limit: 1 << 24)
            let total = try r.readVarint()
            let exact = try r.readUInt8() == 1
            let n = try r.readCount(limit: Swift.max(capacity, 1), minBytesEach: 11)
            var entries: [FrequentItems<Scalar>.Entry] = []
            entries.reserveCapacity(n)
            for _ in 0..<n {
                let item = try Scalar.deserialize(from: &r)
                let hash = try r.read(UInt64.self)
                entries.append(.init(item: item, hash: hash, count: try r.readVarint(), error: try r.readVarint()))
            }
            s.frequent = FrequentItems(capacity: Swift.max(capacity, 1), exactLimit: exactLimit, total: total, isExact: exact, entries: entries)
        }
        if p.contains(.hll) { s.hll = try HyperLogLog.deserialize(from: &r) }
        if p.contains(.ingestion) { s.ingestion = try IngestionStatistics.deserialize(from: &r) }
        // Every sketch counts a subset of the rows; a merge of files that pass this cannot overflow.
        guard (s.moments?.count ?? 0) <= s.rowCount, (s.quantiles?.count ?? 0) <= s.rowCount, (s.frequent?.total ?? 0) <= s.rowCount,
              (s.lengthMin ?? 0) <= (s.lengthMax ?? .max)
        else { throw .invalid("sketch counts exceed the row count", offset: at) }
        s.minExact = p.contains(.minExact)
        s.maxExact = p.contains(.maxExact)
        s.distinctExact = p.contains(.distinctExact)
        return s
    }
}
