import Foundation
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Kills, signals, size limits and full disks at random moments: each time,
/// the output folder and `$TMPDIR` hold nothing new (docs/RELIABILITY.md).
@Suite("Faults during a conversion", .serialized)
struct FaultTests {
    /// A CSV of about 10 MB with a few bad rows, so `--rejects` has work.
    static let input: String = {
        let dir = NSTemporaryDirectory() + "col-fault-input-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/in.csv"
        if !FileManager.default.fileExists(atPath: path) {
            var text = Array("id,name,amount,when\n".utf8)
            var rng = SeededRandom(seed: 13)
            for i in 0..<150_000 {
                let amount = i % 50_000 == 7 ? "not a number" : String(rng.int(0...1_000_000))
                text += "\(i),customer \(rng.int(0...99_999)) with a longer name,\(amount),2024-03-\(10 + i % 18)\n".utf8
            }
            _ = FileManager.default.createFile(atPath: path, contents: Data(text))
        }
        return path
    }()

    /// A fresh output folder and `$TMPDIR`, and the arguments of a conversion into them.
    struct Run {
        let scratch = Scratch()
        var out: String { scratch.file("out") }
        var tmp: String { scratch.file("tmp") }
        init() {
            try? FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            try? FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
        }
        var arguments: [String] {
            [FaultTests.input, out + "/data.col", "--on-error", "skip", "--rejects", out + "/rejects.csv", "--chunk-rows", "20000", "--quiet"]
        }
        func leftovers() -> [String] {
            let o = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            let t = (try? FileManager.default.contentsOfDirectory(atPath: tmp)) ?? []
            return o.map { "out/" + $0 } + t.map { "tmp/" + $0 }
        }
    }

    @Test("SIGKILL, SIGINT, SIGTERM and SIGHUP at random moments leave nothing", arguments: [SIGKILL, SIGINT, SIGTERM, SIGHUP])
    func signals(signal: Int32) throws {
        var rng = SeededRandom(seed: UInt64(signal) * 7919)
        for round in 0..<4 {
            let run = Run()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: builtTool("colconv"))
            p.arguments = run.arguments
            p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": run.tmp]) { $1 }
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(50_000 + rng.int(0...400_000)))
            kill(p.processIdentifier, signal)
            p.waitUntilExit()
            let left = run.leftovers()
            if p.terminationReason == .exit && p.terminationStatus == 0 {
                // It finished first: then both files are complete.
                #expect(left.sorted() == ["out/data.col", "out/rejects.csv"], "round \(round)")
            } else {
                #expect(left.isEmpty, "signal \(signal), round \(round): left \(left)")
            }
        }
    }

    @Test("SIGPIPE on standard output leaves nothing in $TMPDIR")
    func brokenPipe() throws {
        let run = Run()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\"$0\" \"$1\" - --to col --quiet | head -c 16 > /dev/null", builtTool("colconv"), Self.input]
        p.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": run.tmp]) { $1 }
        try p.run()
        p.waitUntilExit()
        #expect(run.leftovers().isEmpty, "left \(run.leftovers())")
    }

    @Test("a file-size limit is an error with exit 2, and leaves nothing")
    func sizeLimit() throws {
        let run = Run()
        let args = run.arguments.map { "'\($0)'" }.joined(separator: " ")
        let r = try runChild("/bin/sh", ["-c", "ulimit -f 512; exec '\(builtTool("colconv"))' \(args)"], in: run.scratch.path,
                             environment: ["TMPDIR": run.tmp])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("File too large"), "\(r.stderr)")
        #expect(run.leftovers().isEmpty, "left \(run.leftovers())")
    }

    @Test("a full file system is an error with exit 2, and leaves nothing (a 64 KiB tmpfs, when mounting is permitted)")
    func fullDisk() throws {
        let run = Run()
        let mountPoint = run.scratch.file("tiny")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mounted = try runChild("/bin/sh", ["-c", "mount -t tmpfs -o size=64k tmpfs '\(mountPoint)'"], in: run.scratch.path)
        guard mounted.status == 0 else {
            print("FaultTests.fullDisk: skipped, cannot mount a tmpfs here: \(mounted.stderr)")
            return
        }
        defer { _ = try? runChild("/bin/sh", ["-c", "umount '\(mountPoint)'"], in: run.scratch.path) }
        let filler = mountPoint + "/filler"
        for (output, rejects) in [(mountPoint + "/data.col", run.out + "/rejects.csv"), (run.out + "/data.col", mountPoint + "/rejects.csv")] {
            if rejects.hasPrefix(mountPoint) {
                // Fill the file system first, so even the few rejected records do not fit.
                _ = try runChild("/bin/sh", ["-c", "head -c 1048576 /dev/zero > '\(filler)'"], in: run.scratch.path)
            }
            let r = try runChild(builtTool("colconv"), [Self.input, output, "--on-error", "skip", "--rejects", rejects, "--quiet"],
                                 in: run.scratch.path, environment: ["TMPDIR": run.tmp])
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("No space left"), "\(r.stderr)")
            #expect(!r.signaled)
            #expect(run.leftovers().isEmpty, "left \(run.leftovers())")
            let onMount = ((try? FileManager.default.contentsOfDirectory(atPath: mountPoint)) ?? []).filter { $0 != "filler" }
            #expect(onMount.isEmpty, "left \(onMount) on the full file system")
        }
    }
}
