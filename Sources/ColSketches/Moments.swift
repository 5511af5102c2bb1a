// Running sum, mean and variance: Welford's update for single values and
// Chan et al.'s pairwise formula for merging two partial results.

import ColBytes

/// Count, sum, mean and variance of a stream of doubles, mergeable.
public struct Moments: Sendable, Equatable {
    /// Values added.
    public internal(set) var count: UInt64 = 0
    /// Their sum.
    public internal(set) var sum: Double = 0
    /// Their mean (Welford's running mean).
    public internal(set) var mean: Double = 0
    /// The sum of squared differences from the mean.
    public internal(set) var m2: Double = 0

    /// No values yet.
    public init() {}

    /// Moments with known parts (for chunks whose values were summed elsewhere).
    public init(count: UInt64, sum: Double, mean: Double, m2: Double) {
        self.count = count
        self.sum = sum
        self.mean = mean
        self.m2 = m2
    }

    /// The moments of `values` in two passes: the sum in order, the mean as sum / count,
    /// then the squared differences from that mean (how a chunk's statistics are computed).
    public init(of values: [Double]) {
        guard !values.isEmpty else {
            self.init()
            return
        }
        var sum = 0.0
        for x in values { sum += x }
        let mean = sum / Double(values.count)
        var m2 = 0.0
        for x in values {
            let d = x - mean
            m2 += d * d
        }
        self.init(count: UInt64(values.count), sum: sum, mean: mean, m2: m2)
    }

    /// Adds one value.
    public mutating func add(_ x: Double) {
        count += 1
        sum += x
        let delta = x - mean
        mean += delta / Double(count)
        m2 += delta * (x - mean)
    }

    /// Merges another stream's moments (Chan et al.), as if its values had been added here.
    public mutating func merge(_ o: Moments) {
        guard o.count > 0 else { return }
        guard count > 0 else { self = o; return }
        let n = Double(count) + Double(o.count)
        let delta = o.mean - mean
        mean += delta * Double(o.count) / n
        m2 += o.m2 + delta * delta * Double(count) * Double(o.count) / n
        sum += o.sum
        count +|= o.count
    }

    /// The moments of every value multiplied by `factor` (a change of unit).
    public func scaled(by factor: Double) -> Moments {
        Moments(count: count, sum: sum * factor, mean: mean * factor, m2: m2 * factor * factor)
    }

    /// The population variance, or nil when empty.
    public var variance: Double? { count > 0 ? m2 / Double(count) : nil }
    /// The sample standard deviation, or nil with fewer than two values.
    public var sampleStandardDeviation: Double? {
        count > 1 ? (m2 / Double(count - 1)).squareRoot() : nil
    }

    /// Appends the count (varint), sum, mean and m2 (f64).
    public func serialize(into w: inout ByteWriter) {
        w.writeVarint(count)
        w.write(sum)
        w.write(mean)
        w.write(m2)
    }

    /// Reads what `serialize(into:)` wrote.
    public static func deserialize(from r: inout ByteReader) throws(BinaryDecodingError) -> Moments {
        Moments(count: try r.readVarint(), sum: try r.readDouble(), mean: try r.readDouble(), m2: try r.readDouble())
    }
}
