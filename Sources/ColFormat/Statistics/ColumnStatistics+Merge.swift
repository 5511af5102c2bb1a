// Merging statistics (docs/FORMAT.md §5.2): chunk into file, file into dataset.

import ColBytes
import ColSketches

extension ColumnStatistics {
    // MARK: merging

    /// Merges another column's statistics into these, expressing the result in
    /// `logical` (the wider of the two types).
    ///
    /// With `deferringDistinctEstimate`, a distinct count that must be estimated from the
    /// HyperLogLog is left nil, to be computed once by `settleDistinctCount()` after the last
    /// merge: an estimate walks every register, and merging 1,000 parts one at a time spent a
    /// third of its time estimating counts that the next merge replaced.
    public mutating func merge(_ o: ColumnStatistics, as logical: LogicalType, deferringDistinctEstimate: Bool = false) {
        let wasEmpty = rowCount == 0
        let mine = self
        type = logical
        rowCount +|= o.rowCount
        nullCount +|= o.nullCount
        nanCount +|= o.nanCount
        decodedBytes +|= o.decodedBytes
        func up(_ s: Scalar?, from t: LogicalType) -> Scalar? {
            guard let s else { return nil }
            // A numeric or date bound says nothing about text order.
            if logical.isVariableLength && !t.isVariableLength { return nil }
            return s.upcast(to: logical)
        }
        let myMin = up(mine.min, from: mine.type), myMax = up(mine.max, from: mine.type)
        let oMin = up(o.min, from: o.type), oMax = up(o.max, from: o.type)
        let mineHasValues = mine.valueCount > 0
        let otherHasValues = o.valueCount > 0
        func pick(_ a: Scalar?, _ aExact: Bool, _ aHas: Bool, _ b: Scalar?, _ bExact: Bool, _ bHas: Bool, wantMin: Bool) -> (Scalar?, Bool) {
            if !aHas { return (b, bExact) }
            if !bHas { return (a, aExact) }
            guard let a, let b, let c = Scalar.compare(a, b) else { return (nil, false) }
            if c == 0 { return (a, aExact && bExact) }
            return (wantMin ? c < 0 : c > 0) ? (a, aExact) : (b, bExact)
        }
        (min, minExact) = pick(myMin, mine.minExact, mineHasValues, oMin, o.minExact, otherHasValues, wantMin: true)
        (max, maxExact) = pick(myMax, mine.maxExact, mineHasValues, oMax, o.maxExact, otherHasValues, wantMin: false)
        // Moments and quantiles merge across numeric widening; text makes them meaningless, and so
        // does a bool column mixed with values of another type. Sides without values (an empty
        // file's statistics, an all-null chunk typed null) mix nothing: before this was checked, a
        // file's bool moments left out the first chunk, merged into statistics of type null.
        if logical.isVariableLength
            || logical == .bool && (mine.type != .bool && mineHasValues || o.type != .bool && otherHasValues) {
            moments = nil
            quantiles = nil
        } else {
            // Dates are counted in days, timestamps in microseconds: widening changes the unit.
            let perDay = Double(CanonicalText.microsPerDay)
            if logical == .timestamp && mine.type == .date {
                moments = moments?.scaled(by: perDay)
                quantiles = quantiles?.scaled(by: perDay)
            }
            let scale = logical == .timestamp && o.type == .date ? perDay : 1
            if let om = o.moments?.scaled(by: scale) { if moments == nil { moments = om } else { moments?.merge(om) } }
            if let oq = o.quantiles?.scaled(by: scale) { if quantiles == nil { quantiles = oq } else { quantiles?.merge(oq) } }
        }
        if let ol = o.lengthMin { lengthMin = Swift.min(lengthMin ?? .max, ol) }
        if let ol = o.lengthMax { lengthMax = Swift.max(lengthMax ?? 0, ol) }
        if let ol = o.lengthTotal { lengthTotal = (lengthTotal ?? 0).saturatingAdding(ol) }
        if logical.isVariableLength && (!mine.type.isVariableLength && mineHasValues || !o.type.isVariableLength && otherHasValues) {
            lengthMin = nil; lengthMax = nil; lengthTotal = nil
        }
        if let of = o.frequent {
            if frequent == nil { frequent = of } else { frequent?.merge(of) }
        }
        if let oh = o.hll {
            if hll == nil { hll = oh } else { hll?.merge(oh) }
        } else if o.rowCount > o.nullCount {
            hll = nil
        }
        if logical.isVariableLength || logical == .bool || logical == .null {
            order = nil
        } else if let oo = o.order {
            if order == nil { order = oo } else { order?.merge(oo) }
        }
        if let oi = o.ingestion {
            if ingestion == nil { ingestion = oi } else { ingestion?.merge(oi) }
        }
        if let f = frequent, let d = f.distinctCount, mine.type == o.type || wasEmpty {
            distinctCount = UInt64(d)
            distinctExact = true
        } else if let h = hll {
            distinctCount = deferringDistinctEstimate ? nil : UInt64(h.estimate.rounded())
            distinctExact = false
        } else {
            distinctCount = nil
            distinctExact = false
        }
    }

    /// Estimates the distinct count that merges with `deferringDistinctEstimate` left open.
    public mutating func settleDistinctCount() {
        if distinctCount == nil, !distinctExact, let h = hll { distinctCount = UInt64(h.estimate.rounded()) }
    }

    /// These statistics in a wider type `logical`, as merging them into an empty column of that type gives.
    public func upcast(to logical: LogicalType) -> ColumnStatistics {
        if type == logical { return self }
        var u = ColumnStatistics(type: logical)
        u.merge(self, as: logical)
        return u
    }

    /// A smaller copy for per-chunk storage: no HyperLogLog, a KLL of
    /// `chunkQuantileK`, and the top `chunkTopK` values.
    public func compacted() -> ColumnStatistics {
        var c = self
        c.hll = nil
        c.quantiles = quantiles?.reduced(to: ColumnStatistics.chunkQuantileK)
        if let f = frequent {
            c.frequent = FrequentItems(capacity: ColumnStatistics.chunkTopK, exactLimit: ColumnStatistics.chunkTopK,
                                       total: f.total, isExact: f.isExact && (f.distinctCount ?? .max) <= ColumnStatistics.chunkTopK,
                                       entries: f.top(ColumnStatistics.chunkTopK))
        }
        return c
    }
}
