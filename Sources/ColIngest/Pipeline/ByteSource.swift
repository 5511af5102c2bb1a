import ColBytes
#if canImport(Glibc)
import Glibc
#endif

/// Reads an input in large blocks and hands out UTF-8: a UTF-8 byte-order
/// mark is dropped, UTF-16 (little- or big-endian, recognized by its BOM) is
/// transcoded. The raw bytes are hashed (XXH64) and counted as they pass, for
/// the provenance section and the progress bar.
final class ByteSource {
    enum Encoding: String { case utf8 = "UTF-8", utf8BOM = "UTF-8 with BOM", utf16LE = "UTF-16LE", utf16BE = "UTF-16BE" }

    let name: String
    private let fd: Int32
    private let ownsFD: Bool
    /// The input's size when it is a regular file.
    let size: Int?
    private(set) var rawBytesRead = 0
    private(set) var hasher = XXH64()
    private(set) var encoding: Encoding = .utf8
    /// The read buffer: 1 MiB for a file or pipe, the input's size (at most that) in memory.
    private var raw: [UInt8]
    private var carry: [UInt8] = []
    private var pendingHighSurrogate: UInt16?
    private var started = false
    private var decoded: [UInt8] = []
    /// The whole input, for a source held in memory (fd is -1).
    private var memory: [UInt8]?
    private var memoryOffset = 0

    /// A source that reads `bytes` as if they were a file called `name`
    /// (the fuzz targets and the kernels' benchmarks). A slice further into an
    /// input (`continuing`) is UTF-8 already: no byte-order mark is looked for.
    init(bytes: [UInt8], name: String, continuing: Bool = false) {
        self.name = name
        started = continuing
        fd = -1
        ownsFD = false
        size = bytes.count
        memory = bytes
        raw = [UInt8](repeating: 0, count: max(16, min(bytes.count, 1 << 20)))
    }

    /// A source that reads the file at `path` ("-" for standard input), `blockSize` bytes at a time.
    init(path: String, blockSize: Int = 1 << 20) throws(IngestError) {
        name = path
        raw = [UInt8](repeating: 0, count: max(blockSize, 16))
        if path == "-" {
            fd = 0
            ownsFD = false
        } else {
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw .io("\(path): cannot open: \(String(cString: strerror(errno)))") }
            ownsFD = true
        }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { size = Int(st.st_size) } else { size = nil }
        if (st.st_mode & S_IFMT) == S_IFDIR { throw .io("\(path): is a directory") }
    }

    deinit { if ownsFD { close(fd) } }

    /// Reads the next raw bytes into the read buffer (`read(into:)`).
    private func readRaw() throws(IngestError) -> Int {
        var n = 0
        var failure: IngestError?
        raw.withUnsafeMutableBytes { buffer in
            do throws(IngestError) { n = try read(into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return n
    }

    /// Whether the input is UTF-8 (with or without a byte-order mark), whose raw bytes after the
    /// first block can be read with `read(into:)`.
    var isUTF8: Bool { started && (encoding == .utf8 || encoding == .utf8BOM) && carry.isEmpty }

    /// Reads the next raw bytes straight into `buffer`, hashed and counted; returns how many, 0 at
    /// the end. `nextBlock` reads through it; the parallel CSV reader calls it itself once
    /// `nextBlock` found the input UTF-8, so the bytes need no decoding.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(IngestError) -> Int {
        guard let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if let memory {
            let n = min(buffer.count, memory.count - memoryOffset)
            let start = memoryOffset
            memory.withUnsafeBytes { all in
                if n > 0, let from = all.baseAddress { out.copyMemory(from: from + start, byteCount: n) }
            }
            memoryOffset += n
            hasher.update(UnsafeRawBufferPointer(start: out, count: n))
            rawBytesRead += n
            return n
        }
        while true {
            let n = Glibc.read(fd, out, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("\(name): read failed: \(String(cString: strerror(errno)))")
            }
            hasher.update(UnsafeRawBufferPointer(start: out, count: n))
            rawBytesRead += n
            return n
        }
    }

    /// The next block of UTF-8 input, or an empty array at the end.
    func nextBlock() throws(IngestError) -> ArraySlice<UInt8> {
        while true {
            let n = try readRaw()
            var bytes = carry + raw[0..<n]
            carry.removeAll()
            if !started {
                // Wait for enough bytes to recognize a BOM.
                if n > 0 && bytes.count < 3 { carry = bytes; continue }
                started = true
                if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                    encoding = .utf8BOM
                    bytes.removeFirst(3)
                } else if bytes.starts(with: [0xFF, 0xFE]) {
                    encoding = .utf16LE
                    bytes.removeFirst(2)
                } else if bytes.starts(with: [0xFE, 0xFF]) {
                    encoding = .utf16BE
                    bytes.removeFirst(2)
                } else if bytes.count >= 4 && bytes.prefix(64).filter({ $0 == 0 }).count * 4 >= min(bytes.count, 64) {
                    throw .malformed(SourceLocation(file: name, line: 1, column: 1, offset: 0),
                                     "the input looks like UTF-16 or binary without a byte-order mark; convert it to UTF-8 (iconv -f UTF-16 -t UTF-8)")
                }
            }
            switch encoding {
            case .utf8, .utf8BOM:
                if bytes.isEmpty && n > 0 { continue }
                return bytes[...]
            case .utf16LE, .utf16BE:
                if n == 0 && bytes.count % 2 == 1 {
                    throw .malformed(SourceLocation(file: name, line: 0, column: 0, offset: rawBytesRead - 1), "UTF-16 input ends with half a code unit")
                }
                let usable = bytes.count & ~1
                carry = Array(bytes[usable...])
                decoded.removeAll(keepingCapacity: true)
                var i = 0
                while i < usable {
                    let unit = encoding == .utf16LE ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
                    i += 2
                    try appendUTF16(unit)
                }
                if n == 0, pendingHighSurrogate != nil {
                    throw .malformed(SourceLocation(file: name, line: 0, column: 0, offset: rawBytesRead), "UTF-16 input ends inside a surrogate pair")
                }
                if decoded.isEmpty && n > 0 { continue }
                return decoded[...]
            }
        }
    }

    private func appendUTF16(_ unit: UInt16) throws(IngestError) {
        var scalar: UInt32
        if let high = pendingHighSurrogate {
            guard (0xDC00...0xDFFF).contains(unit) else {
                throw .malformed(SourceLocation(file: name, line: 0, column: 0, offset: rawBytesRead), "unpaired UTF-16 surrogate")
            }
            scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
            pendingHighSurrogate = nil
        } else if (0xD800...0xDBFF).contains(unit) {
            pendingHighSurrogate = unit
            return
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw .malformed(SourceLocation(file: name, line: 0, column: 0, offset: rawBytesRead), "unpaired UTF-16 surrogate")
        } else {
            scalar = UInt32(unit)
        }
        UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { decoded.append($0) }
    }
}
