import ColFormat

/// Writes JSON with keys in the order given, for stable, diffable reports.
package struct JSONWriter {
    package init() {}

    package private(set) var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]
    private let indentUnit = 2

    /// The JSON text, with a final newline.
    package var text: String { String(decoding: bytes, as: UTF8.self) + "\n" }

    private mutating func newline() {
        bytes.append(0x0A)
        bytes += [UInt8](repeating: 0x20, count: (needsComma.count - 1) * indentUnit)
    }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
        if needsComma.count > 1 { newline() }
    }

    private mutating func key(_ k: String?) {
        separate()
        if let k {
            CanonicalText.appendJSONString(Array(k.utf8), to: &bytes)
            bytes += Array(": ".utf8)
        }
    }

    package mutating func object(_ k: String? = nil, _ body: (inout JSONWriter) -> Void) {
        key(k)
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
        body(&self)
        let empty = !(needsComma.removeLast())
        if !empty { newline() }
        bytes.append(UInt8(ascii: "}"))
    }

    package mutating func array(_ k: String? = nil, _ body: (inout JSONWriter) -> Void) {
        key(k)
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
        body(&self)
        let empty = !(needsComma.removeLast())
        if !empty { newline() }
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func string(_ k: String?, _ v: String?) {
        key(k)
        if let v { CanonicalText.appendJSONString(Array(v.utf8), to: &bytes) } else { bytes += Array("null".utf8) }
    }

    package mutating func int(_ k: String?, _ v: UInt64?) {
        key(k)
        bytes += Array((v.map { String($0) } ?? "null").utf8)
    }

    package mutating func int(_ k: String?, _ v: Int) { int(k, UInt64(max(v, 0))) }

    package mutating func double(_ k: String?, _ v: Double?) {
        key(k)
        guard let v, v.isFinite else { bytes += Array("null".utf8); return }
        CanonicalText.appendDouble(v, to: &bytes)
    }

    package mutating func bool(_ k: String?, _ v: Bool) {
        key(k)
        bytes += Array((v ? "true" : "false").utf8)
    }

    /// A value in its JSON form (numbers and bools bare, dates and text as strings).
    package mutating func scalar(_ k: String?, _ v: Scalar?) {
        key(k)
        guard let v else { bytes += Array("null".utf8); return }
        if case let .json(b) = v {
            CanonicalText.appendJSONString(b, to: &bytes)
        } else if case let .float64(d) = v, !d.isFinite {
            CanonicalText.appendJSONString(Array(v.description.utf8), to: &bytes)
        } else {
            CanonicalText.appendJSON(v, to: &bytes)
        }
    }
}
