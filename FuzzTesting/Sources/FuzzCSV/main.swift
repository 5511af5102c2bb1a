// CSV in, .col out: any input converts or fails with a typed error, and a
// conversion that succeeds writes a file the reader reads whole.

import ColFormat
@_spi(Benchmarks) import ColIngest
import FuzzSupport

let input = ScratchFile("fuzz-csv-in")
let output = ScratchFile("fuzz-csv-out")

@_cdecl("FuzzCSV_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        return fuzz(data, count)
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    input.write(UnsafeRawBufferPointer(start: data, count: count))
    var options = ConversionOptions()
    options.chunkRows = 7  // several chunks, widening between them
    var csv = CSVOptions()
    csv.maxFieldBytes = 1 << 16
    // The first byte picks the error policy, so skipping and failing are both reached, and the
    // reader: the serial one, or the parallel one with slices of a few bytes.
    options.onError = count > 0 && data[0] & 1 == 1 ? .skip : .fail
    if count > 0 && data[0] & 2 == 2 {
        csv.readThreads = 3
        csv.sliceBytes = max(1 + Int(data[0] >> 2) % 16, count / 64)
    }
    requireReadable(output.path) { _ = try CSVConverter.convert(input: input.path, output: output.path, csv: csv, options: options) }
    return 0
}
