// An output file that appears whole or not at all (docs/RELIABILITY.md).
//
// Where the file system supports it, the data goes to an unnamed file
// (`open(O_TMPFILE)`) in the destination folder: nothing has a name until
// `commit`, so not even SIGKILL leaves anything behind. `commit` links it
// under a temporary name and renames that over the destination, because
// `linkat` cannot replace a file; only a kill between those two calls can
// leave a `.NAME.tmp-*` file. Elsewhere a named temporary file is used, and
// removed on errors and by the signal handler.
//
// The output path decides the destination:
// - a regular file, or nothing yet: replaced atomically;
// - a symbolic link: its target is replaced (a dangling link is refused);
// - `-`, a FIFO or a character device: a stream. The whole file is staged in
//   an unnamed file in `$TMPDIR` and copied to the stream at `commit`, so a
//   reader gets the whole file or nothing;
// - anything else (a folder, a socket, a block device) is refused.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file written under no name (or a temporary one) and moved into place
/// only when finished: a failed or abandoned write leaves nothing behind.
package final class AtomicFile {
    /// The path as given.
    package let path: String
    /// The folder that holds the data until `commit` (for spill files beside it).
    package let stagingDirectory: String
    private let destination: Destination
    private var fd: Int32
    /// The temporary name, when the file system has no O_TMPFILE.
    private var temporaryPath: String?
    private var buffer: [UInt8] = []
    package private(set) var offset = 0
    private var done = false
    private var prepared = false

    private enum Destination {
        /// Rename into place at this path (a symbolic link's target, resolved).
        case file(String)
        /// Copy to this descriptor at commit; close it after when `owned`.
        case stream(fd: Int32, owned: Bool)
    }

    package init(path: String) throws(ColFileError) {
        self.path = path
        let destination = try Self.destination(for: path)
        self.destination = destination
        switch destination {
        case let .file(target):
            let dir = Self.directory(of: target)
            stagingDirectory = dir
            if let anonymous = Self.openUnnamed(in: dir) {
                fd = anonymous
            } else {
                (fd, temporaryPath) = try Self.createNamed(nextTo: target, path: path)
            }
        case .stream:
            let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
            stagingDirectory = dir
            if let anonymous = Self.openUnnamed(in: dir) {
                fd = anonymous
            } else {
                // Named for an instant only: the data is reached through the descriptor.
                let (named, name) = try Self.createNamed(nextTo: dir + "/colconv-stage", path: path)
                unlink(name)
                Self.unregister(name)
                fd = named
            }
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { abort() }

    package func write<C: Collection>(_ bytes: C) throws(ColFileError) where C.Element == UInt8 {
        // A block of a buffer's size or more goes straight out, not through the buffer.
        if let block = bytes as? [UInt8], block.count >= 1 << 20 {
            try flush()
            let failure = writeFully(fd, block)
            if failure != 0 { throw .io(path: path, operation: "write", errno: failure) }
            offset += block.count
            return
        }
        buffer.append(contentsOf: bytes)
        offset += bytes.count
        if buffer.count >= 1 << 20 { try flush() }
    }

    package func flush() throws(ColFileError) {
        let failure = writeFully(fd, buffer)
        if failure != 0 { throw .io(path: path, operation: "write", errno: failure) }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes out what is buffered and makes it durable, so that `commit` has
    /// nothing left that can run out of space. A failure aborts the file.
    package func prepare() throws(ColFileError) {
        guard !prepared else { return }
        do throws(ColFileError) {
            try flush()
            if case .file = destination, fsync(fd) != 0 { throw .io(path: path, operation: "fsync", errno: errno) }
        } catch {
            abort()
            throw error
        }
        prepared = true
    }

    /// Prepares if needed, then moves the file into place (or copies it to the stream).
    package func commit() throws(ColFileError) {
        try prepare()
        do throws(ColFileError) {
            switch destination {
            case let .file(target):
                try place(at: target)
                let dfd = open(Self.directory(of: target), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dfd >= 0 {
                    fsync(dfd)  // the rename itself, durable
                    close(dfd)
                }
            case let .stream(out, owned):
                defer { if owned { close(out) } }
                try copy(to: out)
            }
        } catch {
            abort()
            throw error
        }
        done = true
        close(fd)
        fd = -1
    }

    /// Gives the finished data its name: link the unnamed file, or rename the named one.
    private func place(at target: String) throws(ColFileError) {
        var named = temporaryPath
        if named == nil {
            // linkat cannot replace a file, so link under a temporary name, then rename.
            for attempt in 0...8 {
                let candidate = Self.temporaryName(nextTo: target)
                Self.register(candidate)
                if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 {
                    named = candidate
                    break
                }
                let e = errno
                Self.unregister(candidate)
                if e != EEXIST || attempt == 8 { throw .io(path: path, operation: "link the finished file", errno: e) }
            }
        }
        guard let named else { return }
        if rename(named, target) != 0 {
            let e = errno
            unlink(named)
            Self.unregister(named)
            throw .io(path: path, operation: "rename", errno: e)
        }
        Self.unregister(named)
        temporaryPath = nil
    }

    /// Copies the staged bytes to a stream, from the start.
    private func copy(to out: Int32) throws(ColFileError) {
        var at = 0
        while true {
            let (chunk, n, failure) = readFully(fd, at: at, count: 1 << 20)
            if failure != 0 { throw .io(path: path, operation: "read back the staged file", errno: failure) }
            if n == 0 { break }
            let written = writeFully(out, n == chunk.count ? chunk : Array(chunk[0..<n]))
            if written != 0 { throw .io(path: path == "-" ? "stdout" : path, operation: "write", errno: written) }
            at += n
        }
    }

    /// Removes the temporary file; nothing reaches the destination.
    package func abort() {
        guard !done else { return }
        done = true
        if fd >= 0 { close(fd) }
        fd = -1
        if let t = temporaryPath {
            unlink(t)
            Self.unregister(t)
        }
        if case let .stream(out, owned) = destination, owned { close(out) }
    }

    // MARK: - Destinations

    private static func destination(for path: String) throws(ColFileError) -> Destination {
        if path == "-" { return .stream(fd: 1, owned: false) }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            if errno == ENOENT { return .file(path) }
            throw .io(path: path, operation: "inspect the output path", errno: errno)
        }
        var target = path
        if st.st_mode & S_IFMT == S_IFLNK {
            guard let resolved = realpath(path, nil) else {
                throw .invalidArgument("\(path): a symbolic link to nothing; give the target's path, or remove the link")
            }
            target = String(cString: resolved)
            free(resolved)
            guard stat(target, &st) == 0 else { throw .io(path: path, operation: "inspect the link's target", errno: errno) }
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            return .file(target)
        case S_IFIFO, S_IFCHR:
            let out = open(target, O_WRONLY | O_CLOEXEC)
            guard out >= 0 else { throw .io(path: path, operation: "open", errno: errno) }
            return .stream(fd: out, owned: true)
        case S_IFDIR:
            throw .invalidArgument("\(path): a folder; the output must be a file, a FIFO or a character device")
        default:
            throw .invalidArgument("\(path): not a regular file, a FIFO or a character device; refusing to replace it")
        }
    }

    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `open(dir, O_TMPFILE)`: an unnamed file on `dir`'s file system, or nil where unsupported.
    static func openUnnamed(in dir: String, mode: mode_t = 0o644) -> Int32? {
        // O_TMPFILE is __O_TMPFILE | O_DIRECTORY; Glibc's Swift overlay does not export the macro.
        let oTmpFile: Int32 = 0o20000000 | O_DIRECTORY
        let fd = open(dir, oTmpFile | O_RDWR | O_CLOEXEC, mode)
        return fd >= 0 ? fd : nil
    }

    private static func temporaryName(nextTo target: String) -> String {
        let slash = target.lastIndex(of: "/")
        let dir = slash.map { String(target[...$0]) } ?? ""
        let base = slash.map { String(target[target.index(after: $0)...]) } ?? target
        return "\(dir).\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    private static func createNamed(nextTo target: String, path: String) throws(ColFileError) -> (Int32, String) {
        var attempt = 0
        while true {
            let candidate = temporaryName(nextTo: target)
            register(candidate)
            let fd = open(candidate, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 { return (fd, candidate) }
            let e = errno
            unregister(candidate)
            if e != EEXIST || attempt > 8 { throw .io(path: path, operation: "create temporary file", errno: e) }
            attempt += 1
        }
    }

    // MARK: - Names a signal handler removes

    // Registered before the name exists, so a signal never misses one.
    private static let pending = PThreadLocked<Set<String>>([])
    static func register(_ p: String) { pending.withLock { _ = $0.insert(p) } }
    static func unregister(_ p: String) { pending.withLock { _ = $0.remove(p) } }

    /// Removes every temporary name still pending (for an interrupt handler).
    package static func removeAllPending() {
        pending.withLock { set in
            for p in set { unlink(p) }
            set.removeAll()
        }
    }
}

/// Removes the temporary files of writes still in progress. Call it from an
/// interrupt handler before exiting, so an interrupted conversion leaves nothing behind.
public func removePendingTemporaryFiles() { AtomicFile.removeAllPending() }
