// Parquet files wherever colprof takes a .col file (docs/PARQUET.md, "colprof on Parquet").
//
// A Parquet file colconv wrote carries the snapshot of its .col file (a .col file without data
// blocks, FORMAT.md §1.4) in its key-value metadata, base64-encoded under `col.snapshot`: the
// profile and drift are then answered from the footer alone, exactly as from the .col file. A
// Parquet file from any other writer is imported to a temporary .col file, with a note on
// stderr that its data is read; memory stays bounded by its largest row group. Either way the
// temporary file is unlinked as soon as it is open.

#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColFormat
import ColParquet
import ColProfile

enum ParquetInputs {
    /// The key-value metadata key of the embedded snapshot.
    static let snapshotKey = "col.snapshot"

    /// Whether `path` is a regular file that starts with Parquet's magic `PAR1`.
    static func isParquet(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        return read(fd, &head, 4) == 4 && head == Array("PAR1".utf8)
    }

    /// Opens `paths` (.col files, folders of them, snapshots and Parquet files) as one dataset.
    static func dataset(_ paths: [String], tool: String) throws -> Dataset {
        try Dataset(parts: parts(paths, tool: tool))
    }

    /// The parts of `paths`, opened but not merged: .col files, folders of them, and Parquet files.
    static func parts(_ paths: [String], tool: String) throws -> [DatasetPart] {
        var parts: [DatasetPart] = []
        for path in paths {
            if isParquet(path) { parts.append(try part(path, tool: tool)) } else { parts += try Dataset.openParts([path]) }
        }
        return parts
    }

    /// A fresh name for a temporary .col file (created empty, so no other process takes it).
    static func temporaryPath() throws -> String {
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(folder)/.colprof-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { b in b.baseAddress.map { mkstemp($0) } ?? -1 }
        guard fd >= 0 else { throw UsageError("cannot create a temporary file in \(folder) (set TMPDIR)") }
        close(fd)
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The Parquet file at `path` as a dataset part.
    static func part(_ path: String, tool: String) throws -> DatasetPart {
        let meta = try ParquetFooter.read(path: path)
        let temp = try temporaryPath()
        defer { unlink(temp) }
        if let text = meta.value(snapshotKey) {
            guard let bytes = Base64.decode(Array(text.utf8)) else {
                throw ParquetError(path: path, message: "the \(snapshotKey) metadata is not base64")
            }
            let fd = open(temp, O_WRONLY | O_TRUNC)
            guard fd >= 0 else { throw UsageError("cannot write the temporary file \(temp)") }
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == bytes.count else { throw UsageError("cannot write the temporary file \(temp)") }
        } else {
            printError("\(tool): note: \(path) holds no colconv snapshot; reading its data (\(meta.numRows) rows in \(meta.rowGroups.count) row groups)")
            _ = try ParquetImport.convert(input: path, output: temp, tool: tool)
        }
        var st = stat()
        let size = stat(path, &st) == 0 ? Int(st.st_size) : 0
        let how = meta.value(snapshotKey) == nil ? "Parquet, its data read" : "Parquet, profiled from its footer's col.snapshot"
        do { return DatasetPart(path: path, reader: try ColFileReader(path: temp), fileSize: size, readAs: how) } catch {
            throw ParquetError(path: path, message: "its \(meta.value(snapshotKey) == nil ? "data" : snapshotKey) does not read as a .col file: \(error)")
        }
    }
}
