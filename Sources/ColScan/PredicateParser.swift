import ColFormat

// The `--where` grammar (docs/API.md, "Filters"):
//
//   expr     := or
//   or       := and ("or" and)*
//   and      := unary ("and" unary)*
//   unary    := "not" unary | primary
//   primary  := "(" expr ")"
//             | column ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") literal
//             | column ["not"] "in" "(" literal ("," literal)* ")"
//             | column "is" ["not"] "null"
//   column   := name | `any text` (backquotes; `` for a backquote)
//   name     := letter or '_', then letters, digits, '_' or '.'
//   literal  := number | "text" | 'text' | true | false | null
//
// Keywords are case-insensitive. Text literals take \" \' \\ escapes and are
// converted to the column's type when compared (dates and timestamps as ISO 8601).

extension RowFilter {
    /// Parses the `--where` grammar above; errors carry the offending character's offset.
    public static func parse(_ text: String) throws(ScanError) -> RowFilter {
        var p = PredicateParser(Array(text.utf8))
        let e = try p.expression()
        p.skipSpace()
        guard p.i == p.b.count else { throw p.error("expected 'and', 'or' or the end") }
        return e
    }
}

struct PredicateParser {
    let b: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { b = bytes }

    func error(_ m: String) -> ScanError {
        // Report a character offset, not a byte offset.
        let chars = String(decoding: b[0..<min(i, b.count)], as: UTF8.self).count
        return .syntax(m, at: chars)
    }

    mutating func skipSpace() { while i < b.count && (b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D) { i += 1 } }

    static func isNameStart(_ c: UInt8) -> Bool { (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A || c == 0x5F || c >= 0x80 }
    static func isNameByte(_ c: UInt8) -> Bool { isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2E }

    /// The next word if it is `keyword` (case-insensitive), consumed.
    mutating func keyword(_ k: String) -> Bool {
        skipSpace()
        let w = Array(k.utf8)
        guard i + w.count <= b.count else { return false }
        for (n, c) in w.enumerated() where b[i + n] | 0x20 != c { return false }
        if i + w.count < b.count && Self.isNameByte(b[i + w.count]) { return false }
        i += w.count
        return true
    }

    mutating func expression() throws(ScanError) -> RowFilter {
        var left = try conjunction()
        while keyword("or") { left = .or(left, try conjunction()) }
        return left
    }

    mutating func conjunction() throws(ScanError) -> RowFilter {
        var left = try unary()
        while keyword("and") { left = .and(left, try unary()) }
        return left
    }

    mutating func unary() throws(ScanError) -> RowFilter {
        if keyword("not") { return .not(try unary()) }
        return try primary()
    }

    mutating func primary() throws(ScanError) -> RowFilter {
        skipSpace()
        guard i < b.count else { throw error("expected a column name or '('") }
        if b[i] == UInt8(ascii: "(") {
            i += 1
            let e = try expression()
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: ")") else { throw error("expected ')'") }
            i += 1
            return e
        }
        let column = try columnName()
        if keyword("is") {
            let negated = keyword("not")
            guard keyword("null") else { throw error("expected 'null' after 'is'") }
            return negated ? .isNotNull(column) : .isNull(column)
        }
        let negated = keyword("not")
        if keyword("in") {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "(") else { throw error("expected '(' after 'in'") }
            i += 1
            var values: [Scalar] = []
            repeat {
                guard let v = try literal() else { throw error("null is never in a list; use 'is null'") }
                values.append(v)
                skipSpace()
            } while i < b.count && b[i] == UInt8(ascii: ",") && { i += 1; return true }()
            guard i < b.count, b[i] == UInt8(ascii: ")") else { throw error("expected ',' or ')' in the list") }
            i += 1
            return negated ? .not(.isIn(column, values)) : .isIn(column, values)
        }
        if negated { throw error("expected 'in' after 'not'") }
        let op = try comparison()
        let at = i
        guard let value = try literal() else {
            i = at
            throw error("a comparison with null is never true; use 'is null' or 'is not null'")
        }
        return .compare(column, op, value)
    }

    mutating func columnName() throws(ScanError) -> String {
        skipSpace()
        guard i < b.count else { throw error("expected a column name") }
        if b[i] == UInt8(ascii: "`") {
            i += 1
            var name: [UInt8] = []
            while true {
                guard i < b.count else { throw error("unclosed ` in a column name") }
                if b[i] == UInt8(ascii: "`") {
                    if i + 1 < b.count && b[i + 1] == UInt8(ascii: "`") { name.append(b[i]); i += 2; continue }
                    i += 1
                    return String(decoding: name, as: UTF8.self)
                }
                name.append(b[i])
                i += 1
            }
        }
        guard Self.isNameStart(b[i]) else { throw error("expected a column name") }
        let start = i
        while i < b.count && Self.isNameByte(b[i]) { i += 1 }
        return String(decoding: b[start..<i], as: UTF8.self)
    }

    mutating func comparison() throws(ScanError) -> Comparison {
        skipSpace()
        let rest = b[i...]
        for (token, op) in [("<=", Comparison.lessOrEqual), (">=", .greaterOrEqual), ("!=", .notEqual), ("<>", .notEqual),
                            ("==", .equal), ("=", .equal), ("<", .less), (">", .greater)] where rest.starts(with: token.utf8) {
            i += token.utf8.count
            return op
        }
        throw error("expected a comparison (=, !=, <, <=, >, >=), 'in' or 'is'")
    }

    /// A literal; nil for `null`.
    mutating func literal() throws(ScanError) -> Scalar? {
        skipSpace()
        guard i < b.count else { throw error("expected a value") }
        let c = b[i]
        if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
            i += 1
            var text: [UInt8] = []
            while true {
                guard i < b.count else { throw error("unclosed quote") }
                if b[i] == c { i += 1; return .string(text) }
                if b[i] == UInt8(ascii: "\\") && i + 1 < b.count { text.append(b[i + 1]); i += 2; continue }
                text.append(b[i])
                i += 1
            }
        }
        if keyword("true") { return .bool(true) }
        if keyword("false") { return .bool(false) }
        if keyword("null") { return nil }
        let start = i
        if i < b.count && (b[i] == UInt8(ascii: "-") || b[i] == UInt8(ascii: "+")) { i += 1 }
        var digits = 0, isFloat = false
        while i < b.count {
            let d = b[i]
            if d >= 0x30 && d <= 0x39 { digits += 1 } else if d == UInt8(ascii: ".") || d | 0x20 == UInt8(ascii: "e")
                || (i > start && (d == UInt8(ascii: "-") || d == UInt8(ascii: "+")) && b[i - 1] | 0x20 == UInt8(ascii: "e")) {
                isFloat = true
            } else { break }
            i += 1
        }
        let text = String(decoding: b[start..<i], as: UTF8.self)
        if digits > 0 {
            if !isFloat, let v = Int64(text) { return .int64(v) }
            if let v = Double(text) { return .float64(v) }
        }
        i = start
        throw error("expected a value (a number, \"text\", true, false or null)")
    }
}
