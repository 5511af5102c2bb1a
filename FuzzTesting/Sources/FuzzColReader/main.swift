// Untrusted .col files: the reader, the profile, drift inside the file, snapshots
// and histories refuse with typed errors or read; none traps or allocates beyond
// the file's limits. A snapshot written of a file that opened must read back. Seeds are real files, so mutations reach past the checksums
// only where they forge them; the hostile-file tests cover forged checksums.

import ColFormat
import ColProfile
import FuzzSupport

let file = ScratchFile("fuzz-col")
let snapshot = ScratchFile("fuzz-col-snapshot")

@_cdecl("FuzzColReader_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        return fuzz(data, count)
    }
}

func fuzz(_ data: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    file.write(UnsafeRawBufferPointer(start: data, count: count))
    guard readEverything(file.path), let dataset = try? Dataset(paths: [file.path]) else { return 0 }
    if let report = try? ProfileReport(dataset: dataset, layout: .arrow, availableBytes: 1 << 30) {
        _ = report.render(.json)
    }
    _ = try? Drift.withinFile(dataset, name: "fuzz")
    _ = try? Drift.compare(base: dataset, new: dataset, baseName: "a", newName: "b")
    if let only = dataset.parts.first, History.isHistory(only.reader), let history = try? History(path: file.path) {
        _ = try? Drift.compare(base: history.window(last: 3), new: dataset, baseName: "h", newName: "b")
        _ = history.learntThresholds(last: nil, thresholds: DriftThresholds(), roles: [:])
    }
    // A snapshot written with success reads back whole.
    if (try? Snapshot.write(dataset, to: snapshot.path, tool: "fuzz")) != nil {
        guard readEverything(snapshot.path) else { fatalError("a snapshot written with success is refused by the reader") }
    }
    // Two parts: the merge reads the distinct-sketch section.
    if let twice = try? Dataset(paths: [file.path, file.path]),
       let report = try? ProfileReport(dataset: twice, layout: .arrow, availableBytes: 1 << 30) {
        _ = report.render(.json)
    }
    return 0
}
