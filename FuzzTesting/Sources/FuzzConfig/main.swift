// Untrusted colprof.toml files: the TOML reader and the configuration's validation
// refuse with a located error or read; none traps, loops or allocates without bound.

import ColProfile
import FuzzSupport

let file = ScratchFile("fuzz-config")

@_cdecl("FuzzConfig_main")
public func entry(argc: Int32, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    return runFuzzer(argc: argc, argv: argv) { data, count in
        guard let data else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        do throws(TOMLError) {
            _ = try TOMLReader.parse(Array(bytes))
        } catch {
            guard error.line >= 1, error.column >= 1 else { fatalError("an error without a place: \(error)") }
        }
        file.write(bytes)
        _ = try? DriftConfig(path: file.path)
        return 0
    }
}
