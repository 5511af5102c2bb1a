// A page's decoded values appended to a leaf's ColumnVector through the leaf's conversion,
// with a null wherever an entry's definition level is below the leaf's.

import ColBytes
import ColFormat

extension Leaf {
    /// Appends `entries` entries: a null where `definitions[i]` is below the leaf's level, else the
    /// next value of `values` (through `indices` when the page is dictionary-encoded).
    func append(_ values: PhysicalValues, indices: [UInt32]?, definitions: [UInt8]?, entries: Int,
                into out: inout ColumnVector) throws(PageError) {
        let maxDefinition = node.definitionLevel
        if let indices {
            for index in indices where Int(index) >= values.count {
                throw PageError(message: "dictionary index \(index) of \(values.count)")
            }
        }
        let limit = PageDecoding.textLimit
        let tooLong = PageError(message: "text that would decode to more than \(limit) bytes")
        /// Appends text made from a value (a UUID, hex, a time of day, a decimal), within the limit.
        func appendText(_ text: [UInt8]) throws(PageError) {
            guard out.bytes.count + text.count <= limit else { throw tooLong }
            text.withUnsafeBytes { out.append(bytes: $0) }
        }
        func each(_ body: (Int) throws(PageError) -> Void) throws(PageError) {
            var k = 0
            for i in 0..<entries {
                if let definitions, Int(definitions[i]) < maxDefinition {
                    out.appendNull()
                    continue
                }
                let index = indices.map { Int($0[k]) } ?? k
                k += 1
                try body(index)
            }
        }
        let invalidUTF8 = PageError(message: "a value that is not UTF-8 (\(conversion == .text && element.logicalType == nil && element.convertedType == nil ? "binary data" : "in a STRING column"))")
        switch conversion {
        case .null: try each { (_: Int) throws(PageError) in out.appendNull() }
        case .bool: try each { (k: Int) throws(PageError) in out.append(values.bools[k]) }
        case .int32, .int64, .int96: try each { (k: Int) throws(PageError) in out.append(values.ints[k]) }
        case .uint32: try each { (k: Int) throws(PageError) in out.append(Int64(UInt32(truncatingIfNeeded: values.ints[k]))) }
        case .uint64:
            try each { (k: Int) throws(PageError) in
                let v = values.ints[k]
                guard v >= 0 else { throw PageError(message: "the unsigned 64-bit value \(UInt64(bitPattern: v)) is past the largest int64") }
                out.append(v)
            }
        case .date:
            try each { (k: Int) throws(PageError) in
                // A .col date widens to a timestamp without overflow: ±106,751,991 days (docs/FORMAT.md §8).
                let days = values.ints[k]
                guard days.magnitude <= Layout.maxDateDays.magnitude else {
                    throw PageError(message: "a DATE of \(days) days, past the ±\(Layout.maxDateDays) a .col date holds")
                }
                out.append(date: Int32(days))
            }
        case let .timestamp(unit):
            try each { (k: Int) throws(PageError) in
                let v = values.ints[k]
                switch unit {
                case 1:
                    let m = v.multipliedReportingOverflow(by: 1000)
                    guard !m.overflow else { throw PageError(message: "a millisecond timestamp (\(v)) out of the microsecond range") }
                    out.append(m.partialValue)
                case 3: out.append(v / 1000 - (v % 1000 < 0 ? 1 : 0))
                default: out.append(v)
                }
            }
        case .float64: try each { (k: Int) throws(PageError) in out.append(values.doubles[k]) }
        case .float16:
            try each { (k: Int) throws(PageError) in
                let at = values.byteRange(k).lowerBound
                out.append(Double(Float16(bitPattern: UInt16(values.bytes[at]) | UInt16(values.bytes[at + 1]) << 8)))
            }
        case .text, .json:
            // Text all in ASCII needs no check value by value. Values are copied from memory
            // (the generic Collection appends cost a metadata lookup per value across modules).
            let check = !values.checkedUTF8 && values.bytes.contains { $0 >= 0x80 }
            let result = values.bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Result<Void, PageError> in
                do throws(PageError) {
                    try each { (k: Int) throws(PageError) in
                        let r = values.byteRange(k)
                        guard out.bytes.count + r.count <= limit else { throw tooLong }
                        let slice = UnsafeRawBufferPointer(rebasing: raw[r])
                        if check, firstInvalidUTF8(slice) != nil { throw invalidUTF8 }
                        out.append(bytes: slice)
                    }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            try result.get()
        case .uuid, .hex:
            var scratch: [UInt8] = []
            let hex = Array("0123456789abcdef".utf8)
            let dashes = conversion == .uuid
            try each { (k: Int) throws(PageError) in
                scratch.removeAll(keepingCapacity: true)
                for (j, b) in values.bytes[values.byteRange(k)].enumerated() {
                    if dashes && (j == 4 || j == 6 || j == 8 || j == 10) { scratch.append(0x2D) }
                    scratch.append(hex[Int(b >> 4)])
                    scratch.append(hex[Int(b & 15)])
                }
                try appendText(scratch)
            }
        case let .time(unit):
            var scratch: [UInt8] = []
            let digits = unit == 1 ? 3 : (unit == 2 ? 6 : 9)
            let perSecond: Int64 = unit == 1 ? 1000 : (unit == 2 ? 1_000_000 : 1_000_000_000)
            try each { (k: Int) throws(PageError) in
                let v = values.ints[k]
                guard v >= 0, v < 86_400 * perSecond else { throw PageError(message: "a TIME of \(v) past the day's end") }
                scratch.removeAll(keepingCapacity: true)
                let seconds = v / perSecond
                for part in [seconds / 3600, seconds / 60 % 60, seconds % 60] {
                    if !scratch.isEmpty { scratch.append(0x3A) }
                    scratch.append(0x30 + UInt8(part / 10))
                    scratch.append(0x30 + UInt8(part % 10))
                }
                scratch.append(0x2E)
                var fraction = Array(String(v % perSecond).utf8)
                fraction.insert(contentsOf: repeatElement(0x30, count: digits - fraction.count), at: 0)
                scratch += fraction
                try appendText(scratch)
            }
        case let .decimal(scale, asText):
            var scratch: [UInt8] = []
            let fromBytes = physical == 6 || physical == 7
            try each { (k: Int) throws(PageError) in
                let unscaled: Int128
                if fromBytes {
                    let r = values.byteRange(k)
                    guard r.count > 0, r.count <= 16 else { throw PageError(message: "a DECIMAL of \(r.count) bytes (1 to 16 are read)") }
                    // Big-endian two's complement, sign-extended from its first byte.
                    var u: Int128 = values.bytes[r.lowerBound] >= 0x80 ? -1 : 0
                    for b in values.bytes[r] { u = u << 8 | Int128(b) }
                    unscaled = u
                } else {
                    unscaled = Int128(values.ints[k])
                }
                if asText {
                    scratch.removeAll(keepingCapacity: true)
                    Leaf.appendDecimal(unscaled, scale: scale, to: &scratch)
                    try appendText(scratch)
                } else {
                    // |unscaled| < 10^15 < 2^53 and 10^scale (scale ≤ 15) are exact doubles, so one
                    // division rounds once: the double nearest the decimal, as parsing its text would give.
                    guard unscaled.magnitude < 1_000_000_000_000_000 else {
                        throw PageError(message: "a DECIMAL value of more digits than its precision")
                    }
                    out.append(Double(Int64(unscaled)) / Leaf.powersOfTen[scale])
                }
            }
        }
    }

    static let powersOfTen: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { r, _ in r * 10 } }

    /// The exact text of `unscaled` × 10^-scale: `-12.340`, `0.05`, `7`.
    static func appendDecimal(_ unscaled: Int128, scale: Int, to out: inout [UInt8]) {
        var digits = Array(String(unscaled.magnitude).utf8)
        if unscaled < 0 { out.append(0x2D) }
        if scale > 0 {
            if digits.count <= scale { digits.insert(contentsOf: repeatElement(0x30, count: scale + 1 - digits.count), at: 0) }
            out.append(contentsOf: digits[..<(digits.count - scale)])
            out.append(0x2E)
            out.append(contentsOf: digits[(digits.count - scale)...])
        } else {
            out.append(contentsOf: digits)
        }
    }
}

extension Leaf {
    var element: ParquetMetadata.Element { node.element }
}
