// A reader for the part of TOML that colprof.toml uses (docs/PROFILE.md, "Configuration").
//
// Design note. colprof starts in a few milliseconds because it links no Foundation; the TOML
// libraries available (LebJe/TOMLKit wraps toml++ and decodes through Foundation) would undo
// that for a file of a dozen lines. So this reads TOML 1.0's tables, dotted and quoted keys,
// basic and literal strings, integers, floats, booleans, arrays and inline tables, byte by
// byte, and refuses what colprof.toml never needs (multi-line strings, dates, arrays of
// tables) with an error that names the line and column. What it accepts means what TOML says.

/// A value read from TOML, with where it started.
public indirect enum TOMLValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case bool(Bool)
    case array([TOMLNode])
    case table(TOMLTable)

    /// The value's kind, as error messages name it.
    public var kind: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .float: "a float"
        case .bool: "a boolean"
        case .array: "an array"
        case .table: "a table"
        }
    }
}

/// A value and its position (1-based line and column).
public struct TOMLNode: Sendable {
    /// The value.
    public var value: TOMLValue
    /// The line where it starts.
    public var line: Int
    /// The column (in bytes) where it starts.
    public var column: Int
}

/// A table: its keys in the order written.
public struct TOMLTable: Sendable {
    /// Keys and their nodes, in order.
    public private(set) var entries: [(key: String, node: TOMLNode)] = []
    /// Whether the table was opened by a header or an inline table (it may not be defined twice).
    var defined = false

    /// The node under `key`.
    public subscript(key: String) -> TOMLNode? { entries.first { $0.key == key }?.node }

    mutating func set(_ key: String, _ node: TOMLNode) { entries.append((key, node)) }

    mutating func replace(_ key: String, _ node: TOMLNode) {
        if let i = entries.firstIndex(where: { $0.key == key }) { entries[i].node = node } else { entries.append((key, node)) }
    }
}

/// An error in a TOML file: what, and where.
public struct TOMLError: Error, Sendable, CustomStringConvertible {
    /// The line (1-based).
    public var line: Int
    /// The column (1-based, in bytes).
    public var column: Int
    /// What is wrong.
    public var message: String
    /// `line L, column C: message`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

/// Reads a TOML document into its root table.
public struct TOMLReader {
    let bytes: [UInt8]
    var i = 0
    var line = 1
    var lineStart = 0
    /// How many arrays and inline tables enclose the value being read.
    var depth = 0
    /// colprof.toml nests two levels at most; the limit keeps a hostile file from exhausting the stack.
    static let maximumDepth = 32

    /// Parses `text`.
    public static func parse(_ text: [UInt8]) throws(TOMLError) -> TOMLTable {
        var r = TOMLReader(bytes: text)
        return try r.document()
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    var column: Int { i - lineStart + 1 }
    var peek: UInt8? { i < bytes.count ? bytes[i] : nil }

    func fail(_ message: String, line: Int? = nil, column: Int? = nil) -> TOMLError {
        TOMLError(line: line ?? self.line, column: column ?? self.column, message: message)
    }

    mutating func skipBlanks() {
        while let c = peek, c == 0x20 || c == 0x09 { i += 1 }
    }

    /// Skips blanks, a comment, and the end of the line; anything else there is an error.
    mutating func endOfLine() throws(TOMLError) {
        skipBlanks()
        if peek == 0x23 { while let c = peek, c != 0x0A { i += 1 } }
        if peek == 0x0D { i += 1 }
        guard let c = peek else { return }
        guard c == 0x0A else { throw fail("unexpected '\(printable(c))' after the value (one key = value per line)") }
        newline()
    }

    mutating func newline() {
        i += 1
        line += 1
        lineStart = i
    }

    /// Skips blank lines, comments and line breaks (inside arrays).
    mutating func skipSpaceAndComments() {
        while let c = peek {
            if c == 0x20 || c == 0x09 || c == 0x0D { i += 1 } else if c == 0x0A { newline() } else if c == 0x23 {
                while let d = peek, d != 0x0A { i += 1 }
            } else { return }
        }
    }

    func printable(_ c: UInt8) -> String { c >= 0x20 && c < 0x7F ? String(UnicodeScalar(c)) : "\\u{\(String(c, radix: 16))}" }

    mutating func document() throws(TOMLError) -> TOMLTable {
        var root = TOMLTable()
        root.defined = true
        var current: [String] = []
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3; lineStart = 3 }
        while true {
            skipSpaceAndComments()
            guard let c = peek else { break }
            if c == 0x5B {  // [
                let at = (line, column)
                i += 1
                if peek == 0x5B { throw fail("arrays of tables ([[...]]) are not used by colprof.toml", line: at.0, column: at.1) }
                skipBlanks()
                let path = try keyPath()
                skipBlanks()
                guard peek == 0x5D else { throw fail("expected ']' to close the table header") }
                i += 1
                try defineTable(&root, path, line: at.0, column: at.1)
                current = path
                try endOfLine()
            } else {
                try keyValue(into: &root, under: current)
                try endOfLine()
            }
        }
        return root
    }

    /// `key = value`, stored under the table path `prefix` of `table`.
    mutating func keyValue(into table: inout TOMLTable, under prefix: [String]) throws(TOMLError) {
        let at = (line, column)
        let path = try keyPath()
        skipBlanks()
        guard peek == 0x3D else { throw fail("expected '=' after the key") }
        i += 1
        skipBlanks()
        let node = try value()
        try insert(&table, prefix + path, node, line: at.0, column: at.1)
    }

    /// A dotted key: bare (A–Z a–z 0–9 _ -) or quoted parts separated by dots.
    mutating func keyPath() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlanks()
            guard let c = peek else { throw fail("expected a key") }
            if c == 0x22 || c == 0x27 {
                parts.append(try string())
            } else {
                let start = i
                while let d = peek, (d >= 0x41 && d <= 0x5A) || (d >= 0x61 && d <= 0x7A) || (d >= 0x30 && d <= 0x39) || d == 0x5F || d == 0x2D {
                    i += 1
                }
                guard i > start else { throw fail("expected a key, found '\(printable(c))'") }
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
            }
            skipBlanks()
            guard peek == 0x2E else { return parts }
            i += 1
        }
    }

    /// Walks `path` down from `t`, making the tables it names, and runs `body` on the last one.
    func descend(_ t: inout TOMLTable, _ path: ArraySlice<String>, line: Int, column: Int,
                 _ body: (inout TOMLTable) throws(TOMLError) -> Void) throws(TOMLError) {
        guard let key = path.first else { return try body(&t) }
        var sub = TOMLTable()
        if let existing = t[key] {
            guard case let .table(x) = existing.value else {
                throw fail("'\(key)' is already \(existing.value.kind) (line \(existing.line))", line: line, column: column)
            }
            sub = x
        }
        try descend(&sub, path.dropFirst(), line: line, column: column, body)
        t.replace(key, TOMLNode(value: .table(sub), line: line, column: column))
    }

    /// A `[table]` header: the table may be opened once.
    func defineTable(_ root: inout TOMLTable, _ path: [String], line: Int, column: Int) throws(TOMLError) {
        try descend(&root, path[...], line: line, column: column) { (t: inout TOMLTable) throws(TOMLError) in
            guard !t.defined else { throw fail("the table [\(path.joined(separator: "."))] is defined twice", line: line, column: column) }
            t.defined = true
        }
    }

    /// A `key = value` line: each key once.
    func insert(_ root: inout TOMLTable, _ path: [String], _ node: TOMLNode, line: Int, column: Int) throws(TOMLError) {
        guard let last = path.last else { return }
        try descend(&root, path.dropLast(), line: line, column: column) { (t: inout TOMLTable) throws(TOMLError) in
            if let existing = t[last] {
                throw fail("the key '\(path.joined(separator: "."))' is defined twice (first on line \(existing.line))", line: line, column: column)
            }
            t.set(last, node)
        }
    }

    mutating func value() throws(TOMLError) -> TOMLNode {
        let at = (line, column)
        guard let c = peek else { throw fail("expected a value") }
        let v: TOMLValue
        if c == 0x5B || c == 0x7B {
            guard depth < Self.maximumDepth else { throw fail("arrays and inline tables nest more than \(Self.maximumDepth) deep") }
            depth += 1
        }
        defer { if c == 0x5B || c == 0x7B { depth -= 1 } }
        switch c {
        case 0x22, 0x27:
            if bytes[i...].starts(with: [c, c, c]) { throw fail("multi-line strings are not used by colprof.toml") }
            v = .string(try string())
        case 0x5B: v = .array(try array())
        case 0x7B: v = .table(try inlineTable())
        case 0x74, 0x66:
            if bytes[i...].starts(with: Array("true".utf8)) { i += 4; v = .bool(true) } else if bytes[i...].starts(with: Array("false".utf8)) {
                i += 5
                v = .bool(false)
            } else { throw fail("expected a value, found '\(printable(c))'") }
        default: v = try number()
        }
        return TOMLNode(value: v, line: at.0, column: at.1)
    }

    mutating func string() throws(TOMLError) -> String {
        let quote = bytes[i]
        let start = column
        i += 1
        var out: [UInt8] = []
        while true {
            guard let c = peek, c != 0x0A else { throw fail("the string is not closed on its line", column: start) }
            i += 1
            if c == quote { break }
            if c == 0x5C && quote == 0x22 {
                guard let e = peek else { throw fail("the string is not closed") }
                i += 1
                switch e {
                case 0x22: out.append(0x22)
                case 0x5C: out.append(0x5C)
                case 0x62: out.append(0x08)
                case 0x74: out.append(0x09)
                case 0x6E: out.append(0x0A)
                case 0x66: out.append(0x0C)
                case 0x72: out.append(0x0D)
                case 0x75, 0x55:
                    let n = e == 0x75 ? 4 : 8
                    guard i + n <= bytes.count, let code = UInt32(String(decoding: bytes[i..<(i + n)], as: UTF8.self), radix: 16),
                          let scalar = Unicode.Scalar(code) else { throw fail("a \\u escape needs \(n) hex digits of a Unicode scalar") }
                    i += n
                    out += Array(String(Character(scalar)).utf8)
                default: throw fail("unknown escape '\\\(printable(e))'")
                }
            } else {
                out.append(c)
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("the string is not UTF-8") }
        return s
    }

    mutating func array() throws(TOMLError) -> [TOMLNode] {
        let opened = "the array opened on line \(line), column \(column) is not closed"
        i += 1
        var out: [TOMLNode] = []
        while true {
            skipSpaceAndComments()
            guard let c = peek else { throw fail(opened) }
            if c == 0x5D { i += 1; return out }
            out.append(try value())
            skipSpaceAndComments()
            if peek == 0x2C { i += 1; continue }
            skipSpaceAndComments()
            guard peek != nil else { throw fail(opened) }
            guard peek == 0x5D else { throw fail("expected ',' or ']' in the array") }
        }
    }

    mutating func inlineTable() throws(TOMLError) -> TOMLTable {
        i += 1
        var t = TOMLTable()
        t.defined = true
        skipBlanks()
        if peek == 0x7D { i += 1; return t }
        while true {
            skipBlanks()
            try keyValue(into: &t, under: [])
            skipBlanks()
            if peek == 0x2C { i += 1; continue }
            guard peek == 0x7D else { throw fail("expected ',' or '}' in the inline table (on one line)") }
            i += 1
            return t
        }
    }

    mutating func number() throws(TOMLError) -> TOMLValue {
        let start = i
        while let c = peek, (c >= 0x30 && c <= 0x39) || c == 0x2B || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x65 || c == 0x45
            || c == 0x69 || c == 0x6E || c == 0x66 || c == 0x61 {
            i += 1
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        let at = start - lineStart + 1
        guard !text.isEmpty else { throw fail("expected a value, found '\(peek.map(printable) ?? "end of file")'") }
        switch text {
        case "inf", "+inf": return .float(.infinity)
        case "-inf": return .float(-.infinity)
        case "nan", "+nan", "-nan": return .float(.nan)
        default: break
        }
        if text.utf8.count >= 7, text.utf8.prefix(4).allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.utf8.dropFirst(4).first == 0x2D {
            throw fail("dates and times are not used by colprof.toml; write them as strings", column: at)
        }
        // Underscores only between digits.
        let plain = text.replacing("_", with: "")
        let digitsAround = text.utf8.indices.allSatisfy { k in
            let u = text.utf8
            guard u[k] == 0x5F else { return true }
            let before = k > u.startIndex ? u[u.index(before: k)] : 0
            let next = u.index(after: k)
            let after = next < u.endIndex ? u[next] : 0
            return before >= 0x30 && before <= 0x39 && after >= 0x30 && after <= 0x39
        }
        guard digitsAround else { throw fail("'\(text)': an underscore must sit between digits", column: at) }
        if !plain.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            let unsigned = plain.hasPrefix("+") || plain.hasPrefix("-") ? plain.dropFirst() : plain[...]
            guard unsigned.count == 1 || !unsigned.hasPrefix("0") else { throw fail("'\(text)': leading zeros are not TOML", column: at) }
            guard let v = Int64(plain) else { throw fail("'\(text)' is not an integer TOML can hold", column: at) }
            return .integer(v)
        }
        guard let d = Double(plain), plain.first != ".", !plain.hasSuffix("."), !plain.contains(".e"), !plain.contains(".E") else {
            throw fail("'\(text)' is not a TOML number", column: at)
        }
        return .float(d)
    }
}
