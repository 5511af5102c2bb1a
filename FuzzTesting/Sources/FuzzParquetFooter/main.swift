// Untrusted Parquet files: the footer reader (Thrift compact protocol) and the import (pages,
// levels, dictionaries, codecs) refuse with a located error or read; nothing traps, loops or
// allocates past the file's limits; a file imported with success reads back whole.

import ColParquet
import FuzzSupport

let file = ScratchFile("fuzz-parquet")
let output = ScratchFile("fuzz-parquet-col")

@_cdecl("FuzzParquetFooter_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        file.write(UnsafeRawBufferPointer(start: data, count: count))
        if let m = try? ParquetFooter.read(path: file.path) {
            _ = m.value("col.profile")
            _ = m.rowGroups.reduce(0) { $0 + $1.columns.count }
            requireReadable(output.path) { _ = try ParquetImport.convert(input: file.path, output: output.path) }
        }
        return 0
    }
}
