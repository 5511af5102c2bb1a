/// Fields of delimited text (CSV, TSV): the one quoting rule every writer of
/// such text follows — the exporter, `colprof scan`, the rejects file.
///
/// A field is quoted when it is empty and `quoteEmpty` asks for it (so an
/// empty string differs from a null), or when it holds the delimiter, a
/// quote, CR or LF; a quote inside is doubled.
package enum DelimitedText {
    /// True when the field must be quoted.
    @inlinable package static func needsQuotes(_ bytes: some Collection<UInt8>, delimiter: UInt8) -> Bool {
        bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Appends one field, quoted when it must be (or always, with `alwaysQuote`).
    package static func appendField(_ bytes: some Collection<UInt8>, delimiter: UInt8, quoteEmpty: Bool = false,
                                    alwaysQuote: Bool = false, to out: inout [UInt8]) {
        guard alwaysQuote || (quoteEmpty && bytes.isEmpty) || needsQuotes(bytes, delimiter: delimiter) else {
            out.append(contentsOf: bytes)
            return
        }
        out.append(0x22)
        for b in bytes {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}
