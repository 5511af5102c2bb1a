#if canImport(Glibc)
import Glibc
#endif
import ColFormat

// Arrays and deep objects captured whole as canonical JSON text; see the
// design note in JSONScanner.swift.

extension JSONScanner {
    mutating func capture(depth: Int) throws(JSONFailure) {
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
    mutating func captureKey() throws(JSONFailure) {
        guard p[i] == UInt8(ascii: "\"") else { throw fail("expected a string key, found \(Self.describe(p[i]))") }
        try captureString()
        let c = try peekToken("after a key")
        guard c == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(Self.describe(c))") }
        i += 1
        scratch.append(c)
    }

    /// Copies the string at `i` in canonical form.
    mutating func captureString() throws(JSONFailure) {
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
