import Foundation
import TestSupport
import Testing

/// One file of apache/parquet-testing and what colconv must do with it (Fixtures/parquet-testing/verdicts.tsv).
struct ParquetTestingVerdict: Sendable, CustomTestStringConvertible {
    var file: String
    var imported: Bool
    var detail: String
    var testDescription: String { file }

    static let all: [ParquetTestingVerdict] = {
        guard let text = try? String(contentsOfFile: "\(CLI.root)/Fixtures/parquet-testing/verdicts.tsv", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard !line.hasPrefix("#"), f.count == 3 else { return nil }
            return ParquetTestingVerdict(file: f[0], imported: f[1] == "imported", detail: f[2])
        }
    }()
}

/// The peer suite apache/parquet-testing (../shared/corpus/parquet-testing): files from parquet-mr,
/// Impala, Spark, arrow-cpp and arrow-rs, and malformed files under bad_data/. Each file's verdict
/// is recorded in Fixtures/parquet-testing/verdicts.tsv (scripts/parquet_testing_verdicts.py).
@Suite("apache/parquet-testing", .serialized)
struct ParquetTestingSweepTests {
    static let corpus = "\(Paths.corpus)/parquet-testing"

    @Test("every Parquet file of the corpus has a recorded verdict, and every bad_data/ file is refused")
    func everyFileHasAVerdict() throws {
        var files: [String] = []
        for folder in ["data", "bad_data"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(Self.corpus)/\(folder)") where name.hasSuffix(".parquet") {
                files.append("\(folder)/\(name)")
            }
        }
        #expect(files.count > 70)
        #expect(Set(files) == Set(ParquetTestingVerdict.all.map(\.file)))
        #expect(ParquetTestingVerdict.all.filter { $0.file.hasPrefix("bad_data/") }.allSatisfy { !$0.imported })
    }

    @Test("a file imports with the values pyarrow reads, or is refused with its recorded located error; nothing crashes",
          arguments: ParquetTestingVerdict.all)
    func sweep(_ v: ParquetTestingVerdict) throws {
        let s = Scratch()
        let path = "\(Self.corpus)/\(v.file)"
        // The decode limit of a machine with 1 GiB: one file holds 2 GiB of text in 4 KiB of brotli.
        let r = try CLI.runProcess("/usr/bin/env", ["COL_DECODE_LIMIT=512MiB", CLI.binary("colconv"), path, "out.col", "-q"], in: s.path)
        if v.imported {
            #expect(r.status == 0, "\(r.stderr)")
            let e = try CLI.run("colconv", ["out.col", "out.ndjson", "-q"], in: s.path)
            #expect(e.status == 0, "\(e.stderr)")
            let c = try CLI.runProcess("/usr/bin/env", ["python3", "\(CLI.root)/scripts/parquet_compare.py", path, "out.ndjson"], in: s.path)
            #expect(c.status == (v.detail == "pyarrow: same" ? 0 : 3), "\(c.stdout)\(c.stderr)")
        } else {
            // Exit 2 with the recorded message: a crash or a trap would give a signal's status.
            #expect(r.status == 2 && r.stderr.contains("\(path): \(v.detail)"), "\(r.stderr)")
            #expect(!s.entries.contains("out.col"))
        }
    }
}
