// NDJSON and JSON arrays in, .col out: any input converts or fails with a typed
// error, and a conversion that succeeds writes a file the reader reads whole.

import ColFormat
import ColIngest
import FuzzSupport

let input = ScratchFile("fuzz-json-in")
let output = ScratchFile("fuzz-json-out")

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
    requireReadable(output.path) { _ = try JSONConverter.convert(input: input.path, output: output.path, json: json, options: options) }
    return 0
}
