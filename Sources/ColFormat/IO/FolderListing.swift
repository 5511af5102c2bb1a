#if canImport(Glibc)
import Glibc
#endif

/// The entries of one folder, as the dataset commands see them.
///
/// A dataset is a folder of `.col` parts (docs/SCALE.md); `colconv` writes
/// them, `colprof` and `ColDataset` read them. Every one of them lists the
/// folder the same way: one level deep, hidden names (a leading `.`, such as
/// the temporary file of a part being written) left out, sorted by the bytes
/// of the name so the order does not depend on the locale.
public enum FolderListing {
    /// The names (not paths) in `folder` that do not start with `.`, sorted by their bytes; empty if it cannot be read.
    public static func names(in folder: String) -> [String] {
        guard let dir = opendir(folder) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// The paths of the `.col` files in `folder`, in name order.
    public static func colFiles(in folder: String) -> [String] {
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        return names(in: folder).filter { $0.hasSuffix(".col") }.map { base + "/" + $0 }
    }

    /// True when `path` names a folder (following links).
    public static func isFolder(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// A path that names neither a file nor a folder holding `.col` files.
    public struct NothingThere: Error, Sendable {
        /// The path as given.
        public let path: String
    }

    /// The `.col` files that `paths` name, in order: a folder contributes its `.col` files in name
    /// order, a file itself. Throws for the first path that does not exist or is a folder without any.
    public static func colFiles(expanding paths: [String]) throws(NothingThere) -> [String] {
        var files: [String] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else { throw NothingThere(path: path) }
            if st.st_mode & S_IFMT == S_IFDIR {
                let found = colFiles(in: path)
                guard !found.isEmpty else { throw NothingThere(path: path) }
                files += found
            } else {
                files.append(path)
            }
        }
        return files
    }
}

extension ColFileReader {
    /// Opens the footers of `paths` on every core (each is a few reads and a parse, independent of
    /// the others); the results are in the order of `paths`.
    public static func open(_ paths: [String]) -> [Result<ColFileReader, ColFileError>] {
        parallelMap(paths.count) { k -> Result<ColFileReader, ColFileError> in
            Result { () throws(ColFileError) in try ColFileReader(path: paths[k]) }
        }
    }
}
