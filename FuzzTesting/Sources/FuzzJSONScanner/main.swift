// The JSON scanner on NDJSON in memory: it validates and flattens records
// until the first syntax error, and must end on any input without trapping,
// whatever the nesting, the escapes or the numbers.

@_spi(Benchmarks) import ColIngest
import FuzzSupport

@_cdecl("FuzzJSONScanner_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        _ = IngestKernels.scanNDJSON(Array(UnsafeBufferPointer(start: data, count: count)))
        return 0
    }
}
