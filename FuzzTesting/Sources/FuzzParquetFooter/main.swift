// Untrusted Parquet files: the footer reader (Thrift compact protocol) refuses with a
// located error or reads; nothing traps, loops or allocates past the file's size.

import ColParquet
import FuzzSupport

let file = ScratchFile("fuzz-parquet")

@_cdecl("FuzzParquetFooter_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        file.write(UnsafeRawBufferPointer(start: data, count: count))
        if let m = try? ParquetFooter.read(path: file.path) {
            _ = m.value("col.profile")
            _ = m.rowGroups.reduce(0) { $0 + $1.columns.count }
        }
        return 0
    }
}
