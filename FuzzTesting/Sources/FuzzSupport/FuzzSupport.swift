// What the fuzz targets share: a scratch file per process for the APIs that
// read paths, and a full read of a .col file (footer, every section, every page).

import ColFormat
#if canImport(Glibc)
import Glibc
#endif

/// A file in /dev/shm (or $TMPDIR) that each input is written to.
public struct ScratchFile: Sendable {
    public let path: String

    public init(_ name: String) {
        let dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : (getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp")
        path = "\(dir)/\(name)-\(getpid())"
    }

    /// Replaces the file's content with `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        var done = 0
        while done < bytes.count, let base = bytes.baseAddress {
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n <= 0 { break }
            done += n
        }
        close(fd)
    }
}

/// Runs a conversion that wrote `output`; when it succeeded, the file must read whole
/// (a file written with success that the reader refuses is the bug the targets look for).
public func requireReadable(_ output: String, afterConverting convert: () throws -> Void) {
    guard (try? convert()) != nil else { return }
    guard readEverything(output) else { fatalError("a converted file is refused by the reader") }
}

/// Opens a .col file and reads everything in it; returns false when it is refused.
/// A file that opens must read whole: any later refusal is a typed error, never a crash.
@discardableResult
public func readEverything(_ path: String) -> Bool {
    guard let r = try? ColFileReader(path: path) else { return false }
    _ = try? r.chunkStatistics()
    _ = try? r.chunkOrders()
    _ = try? r.roles()
    for s in (try? r.statisticsWithSketches()) ?? r.statistics {
        _ = s.quantiles?.quantile(0.5)
        _ = s.hll?.estimate
        _ = s.frequent?.top(5)
        _ = s.valueCount
    }
    for c in 0..<r.directory.chunkCount {
        for j in 0..<r.directory.columnCount {
            guard let v = try? r.readColumn(chunk: c, column: j) else { continue }
            var text: [UInt8] = []
            for i in 0..<min(v.count, 64) { v.appendCanonicalText(row: i, to: &text) }
        }
    }
    return true
}

/// libFuzzer's driver (in libclang_rt.fuzzer, linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer with the process's arguments on `body`. SwiftPM names an
/// executable's entry point `<Target>_main`, and `-parse-as-library` leaves
/// none; each target defines that entry and calls this.
public func runFuzzer(
    argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, body)
}
