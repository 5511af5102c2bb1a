import ColFormat
import ColText

/// Rejected records, as CSV with the columns line, error and record. Written
/// atomically like the output (a temporary file renamed into place at the
/// end, removed on failure and by the signal handler).
final class RejectsFile: @unchecked Sendable {
    let path: String
    private let file: AtomicFile
    private var buffer: [UInt8] = Array("line,error,record\n".utf8)

    init?(path: String?) throws(IngestError) {
        guard let path else { return nil }
        self.path = path
        do { file = try AtomicFile(path: path) } catch { throw .format(error) }
    }

    func add(line: Int, error: String, record: [UInt8]) throws(IngestError) {
        CanonicalText.appendInt(Int64(line), to: &buffer)
        buffer.append(UInt8(ascii: ","))
        DelimitedText.appendField(Array(error.utf8), delimiter: UInt8(ascii: ","), alwaysQuote: true, to: &buffer)
        buffer.append(UInt8(ascii: ","))
        var body = record
        while let last = body.last, last == 0x0A || last == 0x0D { body.removeLast() }
        DelimitedText.appendField(body, delimiter: UInt8(ascii: ","), alwaysQuote: true, to: &buffer)
        buffer.append(0x0A)
        if buffer.count > 1 << 16 { try flush() }
    }

    private func flush() throws(IngestError) {
        do { try file.write(buffer) } catch { throw .format(error) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out and syncs what is buffered: after this only the rename is left.
    func prepare() throws(IngestError) {
        try flush()
        do { try file.prepare() } catch { throw .format(error) }
    }

    /// Prepares, then renames the file into place.
    func close() throws(IngestError) {
        try prepare()
        do { try file.commit() } catch { throw .format(error) }
    }

    /// Removes the temporary file: no rejects file appears.
    func discard() { file.abort() }
}
