// Many inputs, one dataset (docs/SCALE.md): `colconv 'landing/*.csv' dataset/` converts each
// input to a part of the folder.
//
// Design note. A part's name is the input's stem, a hash of its path and a hash of its content:
// `orders-3f2a9c1e-0123456789abcdef.col`. The name is therefore a promise about the part's
// source, and the incremental rule follows from it: an input whose part already exists is up
// to date and is not converted again; an input whose content changed gets a new part, and its
// older parts (same stem and path hash) are removed once the new one is in place. Each part is
// written atomically, so a part that exists is whole, and a retried or repeated run (a Slurm
// array task, a Kubernetes pod, a Dask task) redoes only what is missing. Shards split the
// sorted input list by position (input k goes to shard k mod n), so any n runs together
// convert exactly the inputs of one run.

#if canImport(Glibc)
import Glibc
#endif
import ColBytes
import ColFormat
import ColIngest
import ColParquet
import ColProfile
import ColText

extension Colconv {
    /// The extensions of the files a folder contributes as inputs.
    static let datasetExtensions: Set<String> = ["csv", "tsv", "tab", "txt", "json", "ndjson", "jsonl", "parquet"]

    static func isDirectory(_ path: String) -> Bool { FolderListing.isFolder(path) }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    static func isGlob(_ path: String) -> Bool { path.utf8.contains { $0 == 0x2A || $0 == 0x3F || $0 == 0x5B } }

    /// Whether the paths ask for a dataset: several inputs, a folder or a glob as input, or a folder as output.
    var isDatasetConversion: Bool {
        if paths.count > 2 { return true }
        if output.hasSuffix("/") || Self.isDirectory(output) || Self.isDirectory(input) { return true }
        return Self.isGlob(input) && !Self.exists(input)
    }

    /// The inputs: files as given, the data files of folders, the matches of quoted globs; each once, sorted by their bytes.
    func datasetInputs() throws -> [String] {
        var found: [String] = []
        for path in paths.dropLast() {
            guard path != "-" else { throw UsageError("a dataset is converted from files, not from standard input") }
            if Self.isDirectory(path) {
                let folder = path.hasSuffix("/") ? String(path.dropLast()) : path
                let files = FolderListing.names(in: folder).filter { name in
                    Self.datasetExtensions.contains(name.split(separator: ".").last.map { $0.lowercased() } ?? "")
                        && !Self.isDirectory(folder + "/" + name)
                }
                found += files.map { folder + "/" + $0 }
            } else if Self.isGlob(path) && !Self.exists(path) {
                var g = glob_t()
                defer { globfree(&g) }
                guard glob(path, 0, nil, &g) == 0 else { throw UsageError("no file matches \(path)") }
                for k in 0..<Int(g.gl_pathc) {
                    if let p = g.gl_pathv[k] { found.append(String(cString: p)) }
                }
            } else {
                guard Self.exists(path) else { throw UsageError("\(path): no such file") }
                found.append(path)
            }
        }
        var seen = Set<String>()
        let inputs = found.filter { seen.insert($0).inserted }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !inputs.isEmpty else { throw UsageError("no input files in \(paths.dropLast().joined(separator: " "))") }
        return inputs
    }

    /// Which shard (0-based) of how many `shard` names: `i/n` (1-based i), `auto` (Slurm) or `auto/n` (Kubernetes).
    static func shardPosition(_ shard: String, environment: (String) -> String?) throws -> (index: Int, count: Int) {
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts[0] == "auto" {
            if parts.count == 1 {
                guard let id = environment("SLURM_ARRAY_TASK_ID").flatMap({ Int($0) }),
                      let count = environment("SLURM_ARRAY_TASK_COUNT").flatMap({ Int($0) }), count > 0 else {
                    throw UsageError("--shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, which are not set; use --shard auto/n with JOB_COMPLETION_INDEX, or i/n")
                }
                // Array indices start at SLURM_ARRAY_TASK_MIN (--array=1-8 starts at 1).
                let first = environment("SLURM_ARRAY_TASK_MIN").flatMap { Int($0) } ?? 0
                guard id - first >= 0, id - first < count else {
                    throw UsageError("--shard auto: SLURM_ARRAY_TASK_ID \(id) is outside \(first)…\(first + count - 1)")
                }
                return (id - first, count)
            }
            guard parts.count == 2, let count = Int(parts[1]), count > 0 else { throw UsageError("--shard takes i/n, auto or auto/n") }
            guard let index = environment("JOB_COMPLETION_INDEX").flatMap({ Int($0) }) else {
                throw UsageError("--shard auto/\(count) reads JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), which is not set")
            }
            guard index >= 0, index < count else { throw UsageError("--shard auto/\(count): JOB_COMPLETION_INDEX \(index) is outside 0…\(count - 1)") }
            return (index, count)
        }
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n > 0, i >= 1, i <= n else {
            throw UsageError("--shard takes i/n with 1 ≤ i ≤ n (e.g. 2/8), auto or auto/n")
        }
        return (i - 1, n)
    }

    /// The XXH64 of a file's bytes, read 1 MiB at a time.
    static func contentHash(of path: String) throws -> UInt64 {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw UsageError("\(path): cannot open (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var hasher = XXH64()
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw UsageError("\(path): cannot read (\(String(cString: strerror(errno))))") }
            if n == 0 { break }
            buffer.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[..<n])) }
        }
        return hasher.finalize()
    }

    /// `v` as 16 hex digits, the first `digits` of them.
    static func hex(_ v: UInt64, digits: Int) -> String {
        let s = String(v, radix: 16)
        return String((String(repeating: "0", count: 16 - s.count) + s).prefix(digits))
    }

    /// A part's name for `input` with content hash `content`, and the prefix every part of that input shares.
    static func partName(for input: String, content: UInt64) -> (name: String, prefix: String) {
        let base = input.split(separator: "/").last.map(String.init) ?? input
        let stem = base.contains(".") ? String(base[..<(base.lastIndex(of: ".") ?? base.endIndex)]) : base
        let safe = String(decoding: stem.utf8.map { b -> UInt8 in
            let ok = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F || b == 0x2E
            return ok ? b : 0x5F
        }.prefix(80), as: UTF8.self)
        let prefix = "\(safe.isEmpty ? "part" : safe)-\(hex(XXH64.hash(Array(input.utf8)), digits: 8))-"
        return (prefix + hex(content, digits: 16) + ".col", prefix)
    }

    /// Converts each input to a part of the dataset folder `output`.
    mutating func convertDataset() throws {
        guard output != "-" else { throw UsageError("a dataset is written to a folder, not to standard output") }
        if let to, to != "col" { throw UsageError("a dataset's parts are .col files (--to col)") }
        if let jobs, jobs < 1 { throw UsageError("--jobs takes 1 or more") }
        guard rejects == nil else { throw UsageError("--rejects names one file, and a dataset has many inputs; convert the input with rejected records alone") }
        let folder = output.hasSuffix("/") && output.count > 1 ? String(output.dropLast()) : output
        if !Self.exists(folder) {
            guard mkdir(folder, 0o755) == 0 || errno == EEXIST else {
                throw UsageError("\(folder): cannot create the dataset folder (\(String(cString: strerror(errno))))")
            }
        } else if !Self.isDirectory(folder) {
            throw UsageError("\(folder) is a file; several inputs, a folder or a glob convert into a folder")
        }
        let all = try datasetInputs()
        var inputs = all
        var shardLabel = ""
        if let shard {
            let (index, count) = try Self.shardPosition(shard) { getenv($0).map { String(cString: $0) } }
            inputs = all.enumerated().filter { $0.offset % count == index }.map(\.element)
            shardLabel = " (shard \(index + 1)/\(count) of \(all.count) inputs)"
        }
        // Several files at once when they are small: each small conversion spends its time in one
        // parsing thread and in fsync, which other conversions overlap (docs/SCALE.md, measured).
        let sizes = inputs.map { path -> Int in
            var st = stat()
            return stat(path, &st) == 0 ? Int(st.st_size) : 0
        }
        let average = sizes.isEmpty ? 0 : sizes.reduce(0, +) / sizes.count
        let workers = max(1, min(jobs ?? (average < Self.smallInput ? activeProcessorCount : 1), inputs.count))
        let clock = ContinuousClock()
        let start = clock.now
        let state = PThreadLocked(DatasetProgress())
        let command = CommandBox(command: self, folder: folder, existingParts: Self.partsByPrefix(in: folder))
        let done = PThreadCondition()
        let finishedCount = PThreadLocked(0)
        let todo = inputs
        for _ in 1..<workers {
            let started = startThread {
                command.work(todo, state: state)
                finishedCount.withLock { $0 += 1 }
                done.lock()
                done.broadcast()
                done.unlock()
            }
            if !started { finishedCount.withLock { $0 += 1 } }
        }
        command.work(todo, state: state)
        done.lock()
        while finishedCount.withLock({ $0 }) < workers - 1 { done.wait() }
        done.unlock()
        let progress = state.withLock { $0 }
        if let failure = progress.failures.min(by: { $0.index < $1.index }) { throw failure.error }
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if !quiet {
            printError("\(inputs.count) input\(inputs.count == 1 ? "" : "s")\(shardLabel): \(progress.converted) converted (\(progress.rows) rows), "
                       + "\(progress.unchanged) unchanged, \(progress.removed) older part\(progress.removed == 1 ? "" : "s") removed, "
                       + "in \(fixed(seconds, 2)) s on \(workers) thread\(workers == 1 ? "" : "s")")
            for line in try schemaEvolution(folder) { printError(line) }
        }
    }

    /// Inputs smaller than this on average convert several at a time by default.
    static let smallInput = 64 << 20

    /// The parts in `folder` when the run starts, by the prefix of their name that names their input
    /// (`partName`: all but the content hash). Listed once: a listing per input made 10,000 inputs
    /// take 36 times as long as 1,000.
    static func partsByPrefix(in folder: String) -> [String: [String]] {
        var parts: [String: [String]] = [:]
        let hashAndSuffix = 16 + ".col".utf8.count
        for name in FolderListing.names(in: folder) where name.hasSuffix(".col") && name.utf8.count > hashAndSuffix {
            let bytes = Array(name.utf8)
            parts[String(decoding: bytes[..<(bytes.count - hashAndSuffix)], as: UTF8.self), default: []].append(name)
        }
        return parts
    }

    /// Converts `file` to its part in `folder` unless the part is up to date; returns what happened.
    /// `existingParts` (from `partsByPrefix`) gives the older parts of the same input, removed once the new one is in place.
    func convertOne(_ file: String, folder: String, existingParts: [String: [String]]) throws -> (converted: Bool, rows: UInt64, removed: Int, part: String) {
        let (name, prefix) = Self.partName(for: file, content: try Self.contentHash(of: file))
        let part = folder + "/" + name
        if !force && Self.exists(part) { return (false, 0, 0, part) }
        let inFormat = try format(for: file, given: from, role: "input")
        var rows: UInt64 = 0
        switch inFormat {
        case "col":
            throw UsageError("\(file) is already a .col file; a dataset folder holds .col parts as they are")
        case "parquet":
            guard let c = Codec(name: codec) else { throw UsageError("--codec takes zstd, lz4 or none") }
            rows = try ParquetImport.convert(input: file, output: part, options: WriterOptions(codec: c, level: level),
                                             tool: "colconv \(Self.version)").rows
        default:
            var one = self
            one.paths = [file, part]
            one.quiet = true  // one summary line for the dataset, and no progress bars drawn over each other
            one.verbose = false
            rows = try one.convertToCol(format: inFormat, to: part, printSummary: false).rows
        }
        // Older parts of the same input (its content changed) go once the new part is in place.
        var removed = 0
        for stale in existingParts[prefix] ?? [] where stale != name {
            if unlink(folder + "/" + stale) == 0 { removed += 1 }
        }
        return (true, rows, removed, part)
    }

    /// The dataset's schema evolution over its parts, in name order: columns added and types widened.
    func schemaEvolution(_ folder: String) throws -> [String] {
        let parts = FolderListing.names(in: folder).filter { $0.hasSuffix(".col") }
        var types: [String: LogicalType] = [:]
        var order: [String] = []
        var lines: [String] = []
        for (k, name) in parts.enumerated() {
            let reader: ColFileReader
            do { reader = try ColFileReader(path: folder + "/" + name) } catch { throw ProfileError.unreadable(path: folder + "/" + name, error) }
            for column in reader.schema.columns {
                if let known = types[column.name] {
                    let widened = known.widened(with: column.type)
                    if widened != known {
                        lines.append("  column \(column.name): \(known) → \(widened) from part \(name)")
                        types[column.name] = widened
                    }
                } else {
                    types[column.name] = column.type
                    order.append(column.name)
                    if k > 0 { lines.append("  column \(column.name) (\(column.type)) added by part \(name)") }
                }
            }
        }
        guard !lines.isEmpty else { return ["schema: \(order.count) columns, the same in all \(parts.count) parts"] }
        return ["schema: \(order.count) columns over \(parts.count) parts; evolution, in part order:"] + lines
    }
}

/// What the threads of a dataset conversion have done so far.
struct DatasetProgress {
    var next = 0
    var converted = 0, unchanged = 0, removed = 0
    var rows: UInt64 = 0
    var failures: [(index: Int, error: any Error)] = []
}

/// The command's settings, shared read-only by the threads of a dataset conversion.
struct CommandBox: @unchecked Sendable {
    let command: Colconv
    let folder: String
    /// The folder's parts when the run started, by input (`Colconv.partsByPrefix`).
    let existingParts: [String: [String]]

    /// Takes inputs one after another until none is left or one has failed.
    func work(_ inputs: [String], state: PThreadLocked<DatasetProgress>) {
        while true {
            let index: Int? = state.withLock { p in
                guard p.failures.isEmpty, p.next < inputs.count else { return nil }
                p.next += 1
                return p.next - 1
            }
            guard let index else { return }
            do {
                let outcome = try command.convertOne(inputs[index], folder: folder, existingParts: existingParts)
                state.withLock { p in
                    if outcome.converted { p.converted += 1 } else { p.unchanged += 1 }
                    p.rows += outcome.rows
                    p.removed += outcome.removed
                }
                if command.verbose { printError("\(inputs[index]): \(outcome.converted ? "converted" : "unchanged"), \(outcome.part)") }
            } catch {
                state.withLock { $0.failures.append((index, error)) }
            }
        }
    }
}
