import ColBytes

/// Encodes chunk columns into pages, reusing its buffers: runs every
/// candidate encoding's analysis and encodes with the smallest (the design
/// note in PageEncoding.swift). One per thread.
final class PageEncoder {
    var page = ByteWriter(capacity: 1 << 16)
    let scratch = EncoderScratch()
    private var keys: [UInt64] = []
    private var bools: [Bool] = []

    /// Encodes a column; returns the encoding used (the forced one when it
    /// applies, else the smallest by analysis). The page is left in `page`.
    func encode(_ v: ColumnVector, forcing forced: Encoding? = nil) -> Encoding {
        page.reset()
        Validity.write(v, into: &page)
        let k = v.count - v.nullCount
        if v.type == .null || k == 0 { return .plain }
        let forced = forced.flatMap { $0.applies(to: v.type) ? $0 : nil }
        switch v.type {
        case .bool: return encodeBools(v, forced: forced)
        case .int64, .timestamp, .date, .float64: return encodeFixed(v, forced: forced)
        case .string, .json: return encodeByteStrings(v, forced: forced)
        case .null: return .plain
        }
    }

    /// The forced encoding when it can hold the values (plain when not), else
    /// the smallest by analysis. `analyze` gets the size to beat, or nil when forced.
    private func choose(forced: Encoding?, _ analyze: (Encoding, Int?) -> Int?) -> Encoding {
        if let forced {
            return analyze(forced, nil) == nil ? .plain : forced
        }
        var best = Int.max, chosen = Encoding.plain
        for e in Encoding.selectionOrder {
            guard let size = analyze(e, best), size < best else { continue }
            best = size
            chosen = e
        }
        return chosen
    }

    private func encodeBools(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        bools.removeAll(keepingCapacity: true)
        bools.reserveCapacity(v.count - v.nullCount)
        for i in 0..<v.count where v.isValid(i) { bools.append(v.bools[i]) }
        let values = BoolValues(bools)
        let encoding = choose(forced: forced) { e, _ in e.bool?.analyze(values) }
        encoding.bool?.encode(values, into: &page)
        return encoding
    }

    /// Gathers the non-null values as 64-bit keys.
    private func gatherFixed(_ v: ColumnVector) {
        keys.removeAll(keepingCapacity: true)
        keys.reserveCapacity(v.count - v.nullCount)
        let all = v.nullCount == 0
        switch v.type {
        case .int64, .timestamp:
            if all { for x in v.int64s { keys.append(UInt64(bitPattern: x)) } } else {
                for i in 0..<v.count where v.isValid(i) { keys.append(UInt64(bitPattern: v.int64s[i])) }
            }
        case .date:
            for i in 0..<v.count where all || v.isValid(i) { keys.append(UInt64(bitPattern: Int64(v.dates[i]))) }
        case .float64:
            if all { for x in v.float64s { keys.append(x.bitPattern) } } else {
                for i in 0..<v.count where v.isValid(i) { keys.append(v.float64s[i].bitPattern) }
            }
        default: break
        }
    }

    private func encodeFixed(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        gatherFixed(v)
        let values = FixedWidthValues(type: v.type, keys: keys)
        let scratch = self.scratch
        let encoding = choose(forced: forced) { e, budget in
            guard e.applies(to: v.type) else { return nil }
            return e.fixedWidth?.analyze(values, scratch: scratch, budget: budget)
        }
        // Forced on values that do not fit, or chosen by analysis, the page is written here.
        (encoding.fixedWidth ?? PlainEncoding.self).encode(values, scratch: scratch, into: &page)
        return encoding
    }

    private func encodeByteStrings(_ v: ColumnVector, forced: Encoding?) -> Encoding {
        scratch.ints.removeAll(keepingCapacity: true)
        for i in 0..<v.count where v.isValid(i) { scratch.ints.append(Int64(i)) }
        let values = ByteStringValues(v, rows: scratch.ints)
        let scratch = self.scratch
        let encoding = choose(forced: forced) { e, budget in
            e.byteString?.analyze(values, scratch: scratch, budget: budget)
        }
        (encoding.byteString ?? PlainEncoding.self).encode(values, scratch: scratch, into: &page)
        return encoding
    }
}
