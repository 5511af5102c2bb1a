// NDJSON and JSON arrays in, .col out: any input converts or fails with a typed
// error, and a conversion that succeeds writes a file the reader reads whole.
// For half the inputs the parallel reader (three threads, slices of a few
// bytes) converts too, and must fail with the same error or write the same
// data blocks as the serial one.

import ColFormat
@_spi(Benchmarks) import ColIngest
import FuzzSupport
#if canImport(Glibc)
import Glibc
#endif

let input = ScratchFile("fuzz-json-in")
let output = ScratchFile("fuzz-json-out")
let parallelOutput = ScratchFile("fuzz-json-out-parallel")

@_cdecl("FuzzJSON_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        return fuzz(data, count)
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    input.write(UnsafeRawBufferPointer(start: data, count: count))
    var options = ConversionOptions()
    options.chunkRows = 5
    options.onError = count > 0 && data[0] & 1 == 1 ? .skip : .fail
    var json = JSONOptions()
    json.maxNesting = 64
    json.maxColumns = 500
    json.maxRecordBytes = 1 << 16
    json.maxDepth = count > 1 ? Int(data[1] % 4) : 0
    json.readThreads = 1
    let serial = outcome { () throws(IngestError) in try JSONConverter.convert(input: input.path, output: output.path, json: json, options: options) }
    requireReadable(output.path) { if case let .failure(error) = serial { throw error } }
    guard count > 0 && data[0] & 2 == 2 else { return 0 }
    json.readThreads = 3
    json.sliceBytes = max(1 + Int(data[0] >> 2) % 16, count / 64)
    let parallel = outcome { () throws(IngestError) in try JSONConverter.convert(input: input.path, output: parallelOutput.path, json: json, options: options) }
    let same: Bool
    switch (serial, parallel) {
    case let (.failure(a), .failure(b)): same = "\(a)" == "\(b)"
    case (.success, .success): same = dataBlocks(output.path) == dataBlocks(parallelOutput.path)
    default: same = false
    }
    if !same { fatalError("the parallel reader differs from the serial one: \(serial) | \(parallel)") }
    return 0
}

func outcome(_ convert: () throws(IngestError) -> ConversionSummary) -> Result<UInt64, IngestError> {
    do throws(IngestError) { return .success(try convert().rows) } catch { return .failure(error) }
}

/// The bytes of a .col file before its footer (the footer holds the conversion's time).
func dataBlocks(_ path: String) -> [UInt8]? {
    guard let reader = try? ColFileReader(path: path), let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes = [UInt8](repeating: 0, count: Int(reader.footerOffset))
    guard fread(&bytes, 1, bytes.count, file) == bytes.count else { return nil }
    return bytes
}
