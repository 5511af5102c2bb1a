import Foundation
import TestSupport
import Testing

/// `colconv INPUTS… FOLDER/`: many inputs, one dataset of parts (docs/SCALE.md).
@Suite("colconv, datasets of parts")
struct DatasetCLITests {
    /// A landing folder of `days` small CSV files.
    func landing(_ s: Scratch, days: Int) throws {
        try FileManager.default.createDirectory(atPath: s.file("landing"), withIntermediateDirectories: true)
        for d in 1...days {
            s.write("landing/day\(d).csv", "id,v\n\(d),\(d).5\n\(d + 100),2\n")
        }
    }

    func parts(_ s: Scratch, _ folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: s.file(folder))) ?? []).filter { $0.hasSuffix(".col") }.sorted()
    }

    @Test("a folder converts to one part per input, named by path and content; a re-run converts nothing, a new file exactly one, a changed file one (its old part removed)")
    func incremental() throws {
        let s = Scratch()
        try landing(s, days: 5)
        var r = try CLI.run("colconv", ["landing", "dataset/"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("5 inputs: 5 converted (10 rows), 0 unchanged"), "\(r.stderr)")
        let first = parts(s, "dataset")
        #expect(first.count == 5 && first.allSatisfy { $0.range(of: #"^day[1-5]-[0-9a-f]{8}-[0-9a-f]{16}\.col$"#, options: .regularExpression) != nil }, "\(first)")
        // One file at a time or three: the same parts.
        r = try CLI.run("colconv", ["landing", "serial/", "--jobs", "1"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("on 1 thread") && parts(s, "serial") == first, "\(r.stderr)")
        r = try CLI.run("colconv", ["landing", "three/", "--jobs", "3"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("on 3 threads") && parts(s, "three") == first, "\(r.stderr)")
        // The names are a function of the inputs: another folder gets the same ones.
        r = try CLI.run("colconv", ["landing/day1.csv", "landing/day2.csv", "landing/day3.csv", "landing/day4.csv", "landing/day5.csv", "again"], in: s.path)
        #expect(r.status == 0 && parts(s, "again") == first, "\(r.stderr)")
        r = try CLI.run("colconv", ["landing", "dataset"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("5 inputs: 0 converted (0 rows), 5 unchanged"), "\(r.stderr)")
        s.write("landing/day6.csv", "id,v\n6,6.5\n")
        r = try CLI.run("colconv", ["landing/*.csv", "dataset"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("6 inputs: 1 converted (1 rows), 5 unchanged, 0 older parts removed"), "\(r.stderr)")
        s.write("landing/day2.csv", "id,v\n2,9.5\n")
        r = try CLI.run("colconv", ["landing", "dataset"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("6 inputs: 1 converted (1 rows), 5 unchanged, 1 older part removed"), "\(r.stderr)")
        #expect(parts(s, "dataset").count == 6)
        r = try CLI.run("colconv", ["landing", "dataset", "--force"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("6 inputs: 6 converted"), "\(r.stderr)")
        // The dataset profiles as one: 10 rows (day2 now has one).
        let p = try CLI.run("colprof", ["dataset"], in: s.path)
        #expect(p.status == 0 && p.stdout.hasPrefix("10 rows × 2 columns in 6 chunks, 6 files"), "\(p.stdout)")
    }

    @Test("--shard i/4 for i = 1…4 converts exactly the parts of one unsharded run; auto reads Slurm's or Kubernetes' index")
    func shards() throws {
        let s = Scratch()
        try landing(s, days: 10)
        for i in 1...4 {
            let r = try CLI.run("colconv", ["landing", "sharded/", "--shard", "\(i)/4"], in: s.path)
            #expect(r.status == 0 && r.stderr.contains("(shard \(i)/4 of 10 inputs)"), "\(r.stderr)")
        }
        #expect(try CLI.run("colconv", ["landing", "whole/", "-q"], in: s.path).status == 0)
        #expect(parts(s, "sharded") == parts(s, "whole") && parts(s, "whole").count == 10)
        // A retried shard converts nothing.
        let retry = try CLI.run("colconv", ["landing", "sharded/", "--shard", "3/4"], in: s.path)
        #expect(retry.stderr.contains("2 inputs (shard 3/4 of 10 inputs): 0 converted"), "\(retry.stderr)")
        // Slurm: --array=1-2 gives task ids 1 and 2; Kubernetes: indices from 0.
        let slurm = try CLI.runProcess("/usr/bin/env", ["SLURM_ARRAY_TASK_ID=2", "SLURM_ARRAY_TASK_COUNT=2", "SLURM_ARRAY_TASK_MIN=1",
                                                         CLI.binary("colconv"), "landing", "slurm/", "--shard", "auto"], in: s.path)
        #expect(slurm.status == 0 && slurm.stderr.contains("5 inputs (shard 2/2 of 10 inputs)"), "\(slurm.stderr)")
        let k8s = try CLI.runProcess("/usr/bin/env", ["JOB_COMPLETION_INDEX=0", CLI.binary("colconv"), "landing", "k8s/", "--shard", "auto/3"], in: s.path)
        #expect(k8s.status == 0 && k8s.stderr.contains("4 inputs (shard 1/3 of 10 inputs)"), "\(k8s.stderr)")
        for (args, words) in [(["--shard", "0/4"], "--shard takes i/n with 1 ≤ i ≤ n"), (["--shard", "auto"], "SLURM_ARRAY_TASK_ID"),
                              (["--shard", "auto/2"], "JOB_COMPLETION_INDEX")] {
            let r = try CLI.run("colconv", ["landing", "bad/"] + args, in: s.path)
            #expect(r.status == 2 && r.stderr.contains(words), "\(r.stderr)")
        }
        let single = try CLI.run("colconv", ["landing/day1.csv", "one.col", "--shard", "1/2"], in: s.path)
        #expect(single.status == 2 && single.stderr.contains("--force, --shard and --jobs apply to datasets"), "\(single.stderr)")
    }

    @Test("a bad input stops the run with its location; the parts before it stay, and a re-run converts only what is left; schema evolution is reported")
    func failureAndEvolution() throws {
        let s = Scratch()
        try landing(s, days: 3)
        s.write("landing/day4.csv", "id,v,extra\n4,text,7\n")
        s.write(
            "landing/day5.csv", bytes: Array("id,v\n5,".utf8) + [0xFF, 0x0A])
        var r = try CLI.run("colconv", ["landing", "dataset"], in: s.path)
        #expect(r.status == 2 && r.stderr.contains("landing/day5.csv:2"), "\(r.stderr)")
        #expect(parts(s, "dataset").count == 4)
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: s.file("dataset"))) ?? []).contains { $0.hasPrefix(".") || $0.contains("tmp") })
        s.write("landing/day5.csv", "id,v\n5,5.5\n")
        r = try CLI.run("colconv", ["landing", "dataset"], in: s.path)
        #expect(r.status == 0 && r.stderr.contains("5 inputs: 1 converted (1 rows), 4 unchanged"), "\(r.stderr)")
        #expect(r.stderr.contains("schema: 3 columns over 5 parts; evolution, in part order:"), "\(r.stderr)")
        #expect(r.stderr.contains("column v: float64 → string from part day4-"), "\(r.stderr)")
        #expect(r.stderr.contains("column extra (int64) added by part day4-"), "\(r.stderr)")
    }

    @Test("colprof scan reads a folder as one dataset: parts pruned by their statistics, rows in part order, a damaged part located")
    func scanAcrossParts() throws {
        let s = Scratch()
        try landing(s, days: 5)
        s.write("landing/day6.csv", "id,v,extra\n106,text,7\n6,x,8\n")
        #expect(try CLI.run("colconv", ["landing", "dataset/", "-q"], in: s.path).status == 0)
        var r = try CLI.run("colprof", ["scan", "dataset", "--where", "id >= 104", "--explain"], in: s.path)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("dataset: dataset (6 parts, "), "\(r.stdout)")
        #expect(r.stdout.contains("parts: 6 total, 3 pruned by statistics (3 chunks), 3 to read"), "\(r.stdout)")
        #expect(r.stdout.contains("rows: 6 read, 3 matched, 3 returned"), "\(r.stdout)")
        r = try CLI.run("colprof", ["scan", "dataset", "--where", "id >= 104", "--format", "csv"], in: s.path)
        // v (float64 in days 1–5) widens to string over the parts, as its canonical text; day6's extra is null in the parts without it.
        #expect(r.stdout == "id,v,extra\n104,2.0,\n105,2.0,\n106,text,7\n", "\(r.stdout)")
        r = try CLI.run("colprof", ["scan", "dataset", "--where", "extra is not null", "--format", "csv", "--columns", "id"], in: s.path)
        #expect(r.stdout == "id\n106\n6\n", "\(r.stdout)")
        // A damaged part: the scan stops with the part's path and the byte, exit 2.
        let victim = parts(s, "dataset")[4]
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: s.file("dataset/" + victim))))
        bytes[9] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: s.file("dataset/" + victim)))
        r = try CLI.run("colprof", ["scan", "dataset", "--format", "csv"], in: s.path)
        #expect(r.status == 2 && r.stderr.contains(victim) && r.stderr.contains("byte"), "\(r.stderr)")
    }

    @Test("a dataset of more parts than the soft limit on open files: colprof raises the limit to the hard one")
    func morePartsThanOpenFiles() throws {
        let s = Scratch()
        try FileManager.default.createDirectory(atPath: s.file("landing"), withIntermediateDirectories: true)
        for d in 0..<80 { s.write("landing/f\(d).csv", "id,v\n\(d),\(d * 2)\n") }
        #expect(try CLI.run("colconv", ["landing", "dataset/", "-q"], in: s.path).status == 0)
        // A soft limit of 40 open files, as a soft limit of 1,024 is for 1,100 parts.
        let limited = "ulimit -Sn 40 && exec \"$0\" \"$@\""
        var r = try CLI.runProcess("/bin/sh", ["-c", limited, CLI.binary("colprof"), "dataset", "--json"], in: s.path)
        #expect(r.status == 0 && r.stdout.contains("\"row_count\": 80"), "\(r.stderr)")
        r = try CLI.runProcess("/bin/sh", ["-c", limited, CLI.binary("colprof"), "scan", "dataset", "--where", "id >= 70", "--explain"], in: s.path)
        #expect(r.status == 0 && r.stdout.contains("parts: 80 total, 70 pruned by statistics"), "\(r.stdout)\(r.stderr)")
    }
}
