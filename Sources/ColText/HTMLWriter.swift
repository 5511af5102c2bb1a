// HTML and SVG for reports, written as bytes: every element closed, every
// attribute quoted, text and attribute values escaped, so that the page is
// also well-formed XML (the report tests parse each SVG with an XML parser).

/// Builds an HTML page (or an SVG fragment) as bytes.
package struct HTMLWriter {
    package init() {}

    /// The page so far.
    package private(set) var bytes: [UInt8] = []

    /// The page as text.
    package var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Appends markup as it is (the caller's own tags, never data).
    package mutating func raw(_ markup: String) { bytes += markup.utf8 }

    /// Appends text, escaped for element content and for attribute values alike.
    package mutating func text(_ s: String) { Self.escape(s, into: &bytes) }

    /// `<name a="v" …>`, the values escaped.
    package mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
        bytes.append(UInt8(ascii: "<"))
        bytes += name.utf8
        for (key, value) in attributes {
            bytes.append(0x20)
            bytes += key.utf8
            bytes += "=\"".utf8
            Self.escape(value, into: &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: ">"))
    }

    /// `</name>`.
    package mutating func close(_ name: String) {
        bytes += "</".utf8
        bytes += name.utf8
        bytes.append(UInt8(ascii: ">"))
    }

    /// `<name …/>`: an empty element (SVG shapes, `<br/>`-like elements are not used).
    package mutating func empty(_ name: String, _ attributes: [(String, String)]) {
        open(name, attributes)
        bytes.removeLast()
        bytes += "/>".utf8
    }

    /// An element holding escaped text.
    package mutating func element(_ name: String, _ attributes: [(String, String)] = [], text: String) {
        open(name, attributes)
        self.text(text)
        close(name)
    }

    /// An element holding what `body` writes.
    package mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ body: (inout HTMLWriter) -> Void) {
        open(name, attributes)
        body(&self)
        close(name)
    }

    /// Appends another writer's bytes.
    package mutating func append(_ other: HTMLWriter) { bytes += other.bytes }

    /// Escapes `&`, `<`, `>`, `"` and `'`; control characters other than tab and newline become U+FFFD,
    /// since XML 1.0 does not allow them.
    package static func escape(_ s: String, into out: inout [UInt8]) {
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            case UInt8(ascii: "\""): out += "&quot;".utf8
            case UInt8(ascii: "'"): out += "&#39;".utf8
            case 0x09, 0x0A: out.append(b)
            case 0..<0x20, 0x7F: out += [0xEF, 0xBF, 0xBD]
            default: out.append(b)
            }
        }
    }

    /// JSON made safe inside `<script type="application/json">`: `</` cannot end the element early.
    package static func scriptJSON(_ json: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(json.utf8.count)
        var previous: UInt8 = 0
        for b in json.utf8 {
            if b == UInt8(ascii: "/") && previous == UInt8(ascii: "<") { out.append(UInt8(ascii: "\\")) }
            out.append(b)
            previous = b
        }
        return String(decoding: out, as: UTF8.self)
    }
}
