#if canImport(Glibc)
import Glibc
#endif
import ColFormat

// # The JSON scanner
//
// A byte-level JSON reader that validates RFC 8259 strictly and turns one
// record at a time into flattened leaf values. It never builds a tree.
//
// **Buffering.** The converter keeps the input in one growable buffer and
// calls `parseRecord` with the bytes from the start of a record to the end
// of what has been read. When a record runs past the end, the scanner throws
// `.needMore`; the converter reads another block and parses the record again
// from its start. Records are small next to the 1 MiB blocks, so a restart
// costs little, and a record (not the input) is the unit of memory.
//
// **No recursion.** Nesting is tracked on explicit stacks, so the depth limit
// (default 512) is a clear error and never a stack overflow.
//
// **Flattening.** Inside a record, objects are walked key by key; a key under
// an object becomes a child node in `JSONPathTable`, so `{"geo":{"lat":1}}`
// yields the leaf `geo.lat`. Objects deeper than the flattening depth,
// arrays, and the non-object elements of a top-level array are captured as
// canonical JSON text (no insignificant whitespace, strings re-escaped
// canonically, numbers as written) and become one leaf.
//
// **Leaves.** Each leaf is an entry: a node, a kind (`JSONKind`) and a byte
// range, either in the input buffer (strings without escapes, numbers,
// literals) or in the record's scratch buffer (unescaped strings, captured
// JSON). Nothing is allocated per value. The converter copies the entries
// into columns only when the whole record parsed, so a bad record leaves no
// trace (and creates no column).
//
// **Duplicate keys.** A key repeated in one object replaces the earlier value,
// including everything below it when it was an object; the replaced leaves
// are counted. A node's stamp records the parse attempt that set it.
//
// **Errors.** A syntax error stops the record at its byte (`.syntax`). Bad
// text inside a well-formed string (invalid UTF-8, a lone surrogate escape)
// is a *soft* error: the record still parses to its end, so the converter can
// skip just that record, even inside a top-level array. Locations are byte
// offsets in the (UTF-8) input; the scanner counts lines as it skips
// whitespace, the only place a JSON text can hold a newline.

/// The kind of a flattened JSON leaf.
enum JSONKind {
    static let null: UInt8 = 0
    static let bool: UInt8 = 1
    /// An integer that fits Int64.
    static let int: UInt8 = 2
    /// A number with a fraction or exponent (or `-0`) that is a finite double.
    static let float: UInt8 = 3
    static let string: UInt8 = 4
    /// An array or an object kept whole, as canonical JSON text.
    static let json: UInt8 = 5
    /// A number that neither fits Int64 nor a finite double; kept as written.
    static let bigNumber: UInt8 = 6
    /// A leaf replaced by a later duplicate key.
    static let removed: UInt8 = 0xFF
}

/// Why a record did not parse.
enum JSONFailure: Error {
    /// The buffer ends inside the record and more input may follow.
    case needMore
    /// A syntax error at a buffer offset.
    case syntax(at: Int, IngestMessage)
}

/// Parses JSON records in a buffer into flattened leaves (see the design note above).
struct JSONScanner {
    // Settings.
    let maxNesting: Int
    /// Objects at this nesting depth or deeper are kept whole (0: flatten everything).
    let flattenDepth: Int
    let replaceInvalidUTF8: Bool

    var paths = JSONPathTable()

    // The buffer of the current attempt.
    private var p: UnsafePointer<UInt8> = JSONScanner.placeholder
    private var n = 0
    private var final = false
    /// The read position.
    var i = 0
    /// The line of position `i` (1-based), and the buffer offset where that line starts (may be negative).
    var line = 1
    var lineStart = 0

    // The leaves of the current record.
    var entryNode: [Int32] = []
    var entryKind: [UInt8] = []
    var entryStart: [Int] = []
    var entryEnd: [Int] = []
    var entryInScratch: [Bool] = []
    var scratch: [UInt8] = []
    /// Leaves replaced by a duplicate key in the current record (their nodes).
    var replaced: [Int32] = []
    /// The first soft error of the current record: buffer offset, line, column and message.
    var softError: (at: Int, line: Int, column: Int, message: IngestMessage)?
    /// Where the current record starts: buffer offset and line.
    var recordStart = 0
    var recordLine = 1
    private var attempt: UInt32 = 0

    private var containers: [UInt8] = []
    private var objects: [(node: Int32, previous: Int32)] = []
    private var keyScratch: [UInt8] = []

    /// Where `p` points before the first `begin` (never read: `n` is 0).
    nonisolated(unsafe) private static let placeholder: UnsafePointer<UInt8> = {
        let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
        bytes.initialize(to: 0)
        return UnsafePointer(bytes)
    }()
    /// The nesting depth of a record's own value: 1 inside a top-level array, else 0.
    var baseDepth = 0

    init(maxNesting: Int, flattenDepth: Int, replaceInvalidUTF8: Bool) {
        self.maxNesting = maxNesting
        self.flattenDepth = flattenDepth
        self.replaceInvalidUTF8 = replaceInvalidUTF8
    }

    /// Points the scanner at `buffer` (valid until the next call) from offset `at`.
    mutating func begin(_ buffer: UnsafeBufferPointer<UInt8>, at: Int, final: Bool) {
        if let base = buffer.baseAddress { p = base }
        n = buffer.count
        self.final = final
        i = at
    }

    // MARK: - Primitives

    @inline(__always) private func fail(_ message: IngestMessage) -> JSONFailure {
        .syntax(at: i, message)
    }

    /// More input is needed at position `i`, or the input ended there.
    @inline(__always) private func endOfInput(_ what: String) -> JSONFailure {
        final ? .syntax(at: i, "unexpected end of input \(what)") : .needMore
    }

    /// Skips JSON whitespace, counting lines.
    @inline(__always) mutating func skipWhitespace() {
        while i < n {
            let b = p[i]
            if b == 0x20 || b == 0x09 || b == 0x0D {
                i += 1
            } else if b == 0x0A {
                i += 1
                line += 1
                lineStart = i
            } else {
                return
            }
        }
    }

    /// The byte at `i` after whitespace, or a failure at the end of the buffer.
    @inline(__always) mutating func peekToken(_ what: String) throws(JSONFailure) -> UInt8 {
        skipWhitespace()
        guard i < n else { throw endOfInput(what) }
        return p[i]
    }

    /// Whether the buffer is exhausted at `i` and no more input follows.
    var atEnd: Bool { i >= n && final }
    /// Whether the buffer is exhausted at `i` (more input may follow).
    var atBufferEnd: Bool { i >= n }
    /// The byte at `i` (the caller checks `atBufferEnd`).
    var current: UInt8 { p[i] }

    static func describe(_ b: UInt8) -> String {
        switch b {
        case 0x20..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default: return "byte 0x\(String(b, radix: 16, uppercase: true))"
        }
    }

    // MARK: - Records

    /// Parses one record starting at `i` (after whitespace): an object is
    /// flattened; any other value becomes a leaf of the `value` node when
    /// `allowValue`, else it is refused as not a record.
    mutating func parseRecord(allowValue: Bool) throws(JSONFailure) {
        attempt &+= 1
        entryNode.removeAll(keepingCapacity: true)
        entryKind.removeAll(keepingCapacity: true)
        entryStart.removeAll(keepingCapacity: true)
        entryEnd.removeAll(keepingCapacity: true)
        entryInScratch.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        replaced.removeAll(keepingCapacity: true)
        softError = nil
        let b = try peekToken("where a record should start")
        recordStart = i
        recordLine = line
        if b == UInt8(ascii: "{") {
            try parseObject()
        } else if allowValue {
            try leaf(JSONPathTable.value, depth: baseDepth)
        } else {
            let what = b == UInt8(ascii: "[") ? "an array" : b == UInt8(ascii: "\"") ? "a string" : "a scalar"
            throw fail("expected an object (one record per line), found \(what)")
        }
    }

    /// Flattens the object at `i` into leaves.
    private mutating func parseObject() throws(JSONFailure) {
        objects.removeAll(keepingCapacity: true)
        objects.append((JSONPathTable.root, -1))
        i += 1
        var b = try peekToken("inside an object")
        if b == UInt8(ascii: "}") { i += 1; return }
        while true {
            // A key.
            guard b == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(Self.describe(b))") }
            let (parent, previous) = objects[objects.count - 1]
            let node = try key(under: parent, previous: previous)
            objects[objects.count - 1].previous = node
            b = try peekToken("after a key")
            guard b == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(Self.describe(b))") }
            i += 1
            b = try peekToken("where a value should be")
            claim(node)
            let depth = objects.count + baseDepth
            if b == UInt8(ascii: "{") && (flattenDepth == 0 || objects.count < flattenDepth) {
                guard depth < maxNesting else { throw fail("nesting deeper than \(maxNesting) levels (\(setting: .maxNesting))") }
                objects.append((node, -1))
                i += 1
                b = try peekToken("inside an object")
                if b != UInt8(ascii: "}") { continue }
                // An empty object: no leaves.
            } else {
                try leaf(node, depth: depth)
                b = try peekToken("after a value")
            }
            // After a value: ',' or '}' (closing as many objects as end here).
            while true {
                if b == UInt8(ascii: ",") {
                    i += 1
                    b = try peekToken("after ','")
                    break
                }
                guard b == UInt8(ascii: "}") else { throw fail("expected ',' or '}' after a value in an object, found \(Self.describe(b))") }
                i += 1
                objects.removeLast()
                if objects.isEmpty { return }
                b = try peekToken("after a value")
            }
        }
    }

    /// Marks `node` as set in this record; a repeat replaces what was set under it.
    private mutating func claim(_ node: Int32) {
        if paths.stamp[Int(node)] == attempt {
            for e in 0..<entryNode.count where entryKind[e] != JSONKind.removed && paths.isWithin(entryNode[e], node) {
                entryKind[e] = JSONKind.removed
                replaced.append(entryNode[e])
                // Let the keys between the replaced leaf and `node` be set again.
                var n = entryNode[e]
                while n != node && n >= 0 {
                    paths.stamp[Int(n)] = 0
                    n = paths.parent[Int(n)]
                }
            }
        }
        paths.stamp[Int(node)] = attempt
    }

    /// Reads the key string at `i` and returns its node under `parent`.
    private mutating func key(under parent: Int32, previous: Int32) throws(JSONFailure) -> Int32 {
        let (start, end, inScratch) = try scanString()
        guard inScratch else {
            return paths.child(of: parent, key: UnsafeRawBufferPointer(start: p + start, count: end - start), previous: previous)
        }
        keyScratch.removeAll(keepingCapacity: true)
        keyScratch.append(contentsOf: scratch[start..<end])
        scratch.removeSubrange(start...)
        return keyScratch.withUnsafeBytes { paths.child(of: parent, key: $0, previous: previous) }
    }

    /// Reads the value at `i` as one leaf of `node`.
    private mutating func leaf(_ node: Int32, depth: Int) throws(JSONFailure) {
        let b = p[i]
        var kind: UInt8
        var start = i
        var end: Int
        var inScratch = false
        switch b {
        case UInt8(ascii: "\""):
            kind = JSONKind.string
            (start, end, inScratch) = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = try scanNumber()
            end = i
        case UInt8(ascii: "t"):
            try literal("true")
            kind = JSONKind.bool
            end = i
        case UInt8(ascii: "f"):
            try literal("false")
            kind = JSONKind.bool
            end = i
        case UInt8(ascii: "n"):
            try literal("null")
            kind = JSONKind.null
            end = i
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            kind = JSONKind.json
            start = scratch.count
            try capture(depth: depth)
            end = scratch.count
            inScratch = true
        default:
            throw fail("expected a value, found \(Self.describe(b))")
        }
        entryNode.append(node)
        entryKind.append(kind)
        entryStart.append(start)
        entryEnd.append(end)
        entryInScratch.append(inScratch)
    }

    /// Appends the record's leaves to their columns (every leaf's node has a
    /// column by now) and stamps each column set with `record`.
    func commit(into columns: inout [JSONRawColumn], stamps: inout [Int], record: Int) {
        scratch.withUnsafeBytes { s in
            for e in 0..<entryNode.count where entryKind[e] != JSONKind.removed {
                let col = Int(paths.column[Int(entryNode[e])])
                let bytes = entryInScratch[e] ? UnsafeRawBufferPointer(rebasing: s[entryStart[e]..<entryEnd[e]])
                    : UnsafeRawBufferPointer(start: p + entryStart[e], count: entryEnd[e] - entryStart[e])
                columns[col].append(kind: entryKind[e], bytes)
                stamps[col] = record
            }
        }
    }

    // MARK: - Values

    private mutating func literal(_ word: StaticString) throws(JSONFailure) {
        let w = word.utf8Start
        let len = word.utf8CodeUnitCount
        for k in 0..<len {
            guard i + k < n else { throw endOfInput("inside '\(word)'") }
            guard p[i + k] == w[k] else {
                i += k
                throw fail("invalid literal: expected '\(word)'")
            }
        }
        i += len
    }

    /// Scans a number at `i` (RFC 8259 grammar) and classifies it.
    private mutating func scanNumber() throws(JSONFailure) -> UInt8 {
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        }
        guard i < n else { throw endOfInput("inside a number") }
        var intDigits = 0
        if p[i] == UInt8(ascii: "0") {
            i += 1
            intDigits = 1
            if i < n && p[i] &- 0x30 < 10 { throw fail("a number may not have a leading zero") }
        } else if p[i] &- 0x31 < 9 {
            while i < n && p[i] &- 0x30 < 10 { i += 1; intDigits += 1 }
        } else {
            throw fail("expected a digit in a number, found \(Self.describe(p[i]))")
        }
        var fraction = false
        var exponent = 0
        if i < n && p[i] == UInt8(ascii: ".") {
            fraction = true
            i += 1
            guard i < n else { throw endOfInput("inside a number") }
            guard p[i] &- 0x30 < 10 else { throw fail("expected a digit after '.', found \(Self.describe(p[i]))") }
            while i < n && p[i] &- 0x30 < 10 { i += 1 }
        }
        var hasExponent = false
        if i < n && p[i] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            i += 1
            guard i < n else { throw endOfInput("inside a number") }
            var expNegative = false
            if p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") {
                expNegative = p[i] == UInt8(ascii: "-")
                i += 1
                guard i < n else { throw endOfInput("inside a number") }
            }
            guard p[i] &- 0x30 < 10 else { throw fail("expected a digit in an exponent, found \(Self.describe(p[i]))") }
            while i < n && p[i] &- 0x30 < 10 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(p[i] &- 0x30) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        // The number may continue in the next block.
        if i >= n && !final { throw .needMore }
        let text = UnsafeRawBufferPointer(start: p + start, count: i - start)
        if !fraction && !hasExponent {
            if intDigits <= 18 { return negative && intDigits == 1 && p[start + 1] == UInt8(ascii: "0") ? JSONKind.float : JSONKind.int }
            return ValueParser.parseInt(text) != nil ? JSONKind.int : JSONKind.bigNumber
        }
        // Well inside the double range: finite without asking strtod.
        if abs(exponent) < 250 && i - start < 60 { return JSONKind.float }
        guard let d = ValueParser.parseDouble(text), d.isFinite else { return JSONKind.bigNumber }
        return JSONKind.float
    }

    /// A mask with the high bit set in each byte of `w` that is '"', '\\', a control byte or non-ASCII.
    @inline(__always) private static func specialBytes(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let q = w ^ (ones &* 0x22)
        let bs = w ^ (ones &* 0x5C)
        let quote = (q &- ones) & ~q
        let backslash = (bs &- ones) & ~bs
        let control = (w &- ones &* 0x20) & ~w
        return (quote | backslash | control | w) & high
    }

    /// Scans the string at `i` (at its opening quote). Returns the range of
    /// its content: in the buffer when it has no escapes, else in `scratch`.
    private mutating func scanString() throws(JSONFailure) -> (Int, Int, Bool) {
        i += 1
        let start = i
        while true {
            while i + 8 <= n {
                let m = Self.specialBytes(UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
                if m != 0 {
                    i += m.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < n else { throw endOfInput("inside a string") }
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return (start, i - 1, false)
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw fail("control character U+\(hex4(UInt32(b))) in a string must be escaped") }
            if b < 0x80 {
                i += 1
                continue
            }
            let len = try utf8Sequence()
            if len == 0 {
                if replaceInvalidUTF8 { break }
                noteSoft("invalid UTF-8 in a string; use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                i += 1
            } else {
                i += len
            }
        }
        // The slow path: unescape into scratch.
        let out = scratch.count
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + start, count: i - start))
        while true {
            guard i < n else { throw endOfInput("inside a string") }
            let b = p[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return (out, scratch.count, true)
            case UInt8(ascii: "\\"):
                try unescape()
            case 0..<0x20:
                throw fail("control character U+\(hex4(UInt32(b))) in a string must be escaped")
            case 0..<0x80:
                scratch.append(b)
                i += 1
            default:
                let len = try utf8Sequence()
                if len == 0 {
                    if replaceInvalidUTF8 {
                        appendScalar(0xFFFD)
                    } else {
                        noteSoft("invalid UTF-8 in a string; use \(setting: .invalidUTF8Replace) to substitute U+FFFD")
                    }
                    i += 1
                } else {
                    scratch.append(contentsOf: UnsafeBufferPointer(start: p + i, count: len))
                    i += len
                }
            }
        }
    }

    private mutating func noteSoft(_ message: IngestMessage, at: Int? = nil) {
        let at = at ?? i
        if softError == nil { softError = (at, line, at - lineStart + 1, message) }
    }

    /// The length of the valid UTF-8 sequence at `i` (2–4), or 0 when it is invalid.
    private func utf8Sequence() throws(JSONFailure) -> Int {
        let b0 = p[i]
        let len: Int
        var lo: UInt8 = 0x80
        var hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: len = 2
        case 0xE0: len = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: len = 3
        case 0xED: len = 3; hi = 0x9F
        case 0xF0: len = 4; lo = 0x90
        case 0xF1...0xF3: len = 4
        case 0xF4: len = 4; hi = 0x8F
        default: return 0
        }
        for k in 1..<len {
            guard i + k < n else {
                if final { return 0 }
                throw JSONFailure.needMore
            }
            let c = p[i + k]
            if k == 1 {
                guard c >= lo && c <= hi else { return 0 }
            } else {
                guard c & 0xC0 == 0x80 else { return 0 }
            }
        }
        return len
    }

    /// Decodes the escape at `i` into `scratch`.
    private mutating func unescape() throws(JSONFailure) {
        guard i + 1 < n else { throw endOfInput("inside an escape") }
        let e = p[i + 1]
        let simple: UInt8
        switch e {
        case UInt8(ascii: "\""): simple = 0x22
        case UInt8(ascii: "\\"): simple = 0x5C
        case UInt8(ascii: "/"): simple = 0x2F
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            let at = i
            let unit = try hexUnit(at: i + 2)
            i += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate needs a low one next.
                if i + 1 < n && p[i] == UInt8(ascii: "\\") && p[i + 1] == UInt8(ascii: "u") {
                    let low = try hexUnit(at: i + 2)
                    if low >= 0xDC00 && low <= 0xDFFF {
                        i += 6
                        appendScalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
                        return
                    }
                } else if i + 1 >= n && !final {
                    throw .needMore
                }
                loneSurrogate(unit, at: at)
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                loneSurrogate(unit, at: at)
            } else {
                appendScalar(unit)
            }
            return
        default:
            i += 1
            throw fail("invalid escape in a string: '\\' followed by \(Self.describe(e))")
        }
        scratch.append(simple)
        i += 2
    }

    private mutating func loneSurrogate(_ unit: UInt32, at: Int) {
        if replaceInvalidUTF8 {
            appendScalar(0xFFFD)
        } else {
            noteSoft("lone surrogate \\u\(hex4(unit)) in a string has no UTF-8 form; use \(setting: .invalidUTF8Replace) to substitute U+FFFD", at: at)
        }
    }

    private func hexUnit(at: Int) throws(JSONFailure) -> UInt32 {
        var v: UInt32 = 0
        for k in 0..<4 {
            guard at + k < n else { throw endOfInput("inside a \\u escape") }
            let c = p[at + k]
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - 0x37
            default: throw JSONFailure.syntax(at: at + k, "expected 4 hex digits after \\u, found \(Self.describe(c))")
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    private mutating func appendScalar(_ v: UInt32) {
        switch v {
        case 0..<0x80:
            scratch.append(UInt8(v))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | v >> 6))
            scratch.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | v >> 12))
            scratch.append(UInt8(0x80 | (v >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | v >> 18))
            scratch.append(UInt8(0x80 | (v >> 12) & 0x3F))
            scratch.append(UInt8(0x80 | (v >> 6) & 0x3F))
            scratch.append(UInt8(0x80 | v & 0x3F))
        }
    }

    /// Copies the array or object at `i` into `scratch` as canonical JSON text.
    /// `depth` is the nesting depth of the enclosing object.
    private mutating func capture(depth: Int) throws(JSONFailure) {
        containers.removeAll(keepingCapacity: true)
        var b = p[i]
        // Each turn of the loop handles one value at `i` (b is its first byte).
        while true {
            switch b {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth + containers.count < maxNesting else {
                    throw fail("nesting deeper than \(maxNesting) levels (\(setting: .maxNesting))")
                }
                let close = b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                containers.append(close)
                scratch.append(b)
                i += 1
                let c = try peekToken("inside \(close == UInt8(ascii: "}") ? "an object" : "an array")")
                if c == close {
                    i += 1
                    containers.removeLast()
                    scratch.append(close)
                } else {
                    if close == UInt8(ascii: "}") { try captureKey() }
                    b = try peekToken("where a value should be")
                    continue
                }
            case UInt8(ascii: "\""):
                try captureString()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let s = i
                _ = try scanNumber()
                scratch.append(contentsOf: UnsafeBufferPointer(start: p + s, count: i - s))
            case UInt8(ascii: "t"):
                try literal("true")
                scratch.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
            case UInt8(ascii: "f"):
                try literal("false")
                scratch.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
            case UInt8(ascii: "n"):
                try literal("null")
                scratch.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            default:
                throw fail("expected a value, found \(Self.describe(b))")
            }
            // After a value: ',' continues the container; a closer ends it.
            while true {
                guard let close = containers.last else { return }
                let c = try peekToken("after a value")
                if c == UInt8(ascii: ",") {
                    i += 1
                    scratch.append(c)
                    if close == UInt8(ascii: "}") {
                        _ = try peekToken("after ','")
                        try captureKey()
                    }
                    b = try peekToken("after ','")
                    break
                }
                guard c == close else {
                    throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))' after a value, found \(Self.describe(c))")
                }
                i += 1
                scratch.append(close)
                containers.removeLast()
            }
        }
    }

    /// Copies a key and its ':' (at `i`, after whitespace) in canonical form.
    private mutating func captureKey() throws(JSONFailure) {
        guard p[i] == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(Self.describe(p[i]))") }
        try captureString()
        let c = try peekToken("after a key")
        guard c == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(Self.describe(c))") }
        i += 1
        scratch.append(c)
    }

    /// Copies the string at `i` in canonical form.
    private mutating func captureString() throws(JSONFailure) {
        let open = i
        let mark = scratch.count
        let (start, end, inScratch) = try scanString()
        if !inScratch {
            scratch.append(contentsOf: UnsafeBufferPointer(start: p + open, count: i - open))
            return
        }
        let text = Array(scratch[start..<end])
        scratch.removeSubrange(mark...)
        CanonicalText.appendJSONString(text, to: &scratch)
    }
}

func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
