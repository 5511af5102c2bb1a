// Threads, locks and the processor count, straight from the C library.
//
// The tools do not import Foundation: loading it (with ICU) costs a command
// about 5 ms before `main` runs, more than `colprof` needs to answer from a
// footer. What they used from it was a thread, a lock, a condition variable and
// `activeProcessorCount`; this file gives the same four on pthreads and
// `sched_getaffinity`. pthread primitives also keep ThreadSanitizer
// (`make sanitize`) seeing every hand-off between threads.
#if canImport(Glibc)
import Glibc
#endif

/// The processors this process may run on: its CPU affinity mask, which is what
/// `taskset` and container CPU sets restrict; the online processors when the mask
/// cannot be read. At least 1.
package var activeProcessorCount: Int {
    // Glibc's module map hides sched_getaffinity (it needs _GNU_SOURCE), so it is
    // looked up by name: RTLD_DEFAULT is the null handle.
    typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer?) -> Int32
    var mask = [UInt64](repeating: 0, count: 16)  // 1,024 processors
    if let symbol = dlsym(nil, "sched_getaffinity"),
       mask.withUnsafeMutableBytes({ unsafeBitCast(symbol, to: GetAffinity.self)(0, $0.count, $0.baseAddress) }) == 0 {
        let n = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        if n > 0 { return n }
    }
    return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

/// Runs `body` on a new detached thread with a stack of `stackSize` bytes.
/// Returns false when the thread could not be created (the body then never runs).
@discardableResult
package func startThread(stackSize: Int = 1 << 22, _ body: @escaping @Sendable () -> Void) -> Bool {
    final class Box: @unchecked Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, stackSize)
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let created = pthread_create(&thread, &attributes, { argument in
        guard let argument else { return nil }
        Unmanaged<Box>.fromOpaque(argument).takeRetainedValue().body()
        return nil
    }, box)
    if created != 0 {
        Unmanaged<Box>.fromOpaque(box).release()
        return false
    }
    return true
}

/// A pthread mutex on the heap, initialized (a pthread mutex must not move once used).
private func newMutex() -> UnsafeMutablePointer<pthread_mutex_t> {
    let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    mutex.initialize(to: pthread_mutex_t())
    pthread_mutex_init(mutex, nil)
    return mutex
}

private func freeMutex(_ mutex: UnsafeMutablePointer<pthread_mutex_t>) {
    pthread_mutex_destroy(mutex)
    mutex.deinitialize(count: 1)
    mutex.deallocate()
}

/// A value behind a pthread mutex. Used instead of `Synchronization.Mutex` where
/// threads hand work to each other, because ThreadSanitizer (`make sanitize`)
/// sees the ordering a pthread mutex gives, and not that of Mutex's futex on Linux.
package final class PThreadLocked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    package init(_ value: Value) {
        self.value = value
        mutex = newMutex()
    }

    deinit { freeMutex(mutex) }

    package func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}

/// A mutex with a condition variable, for a producer and a consumer that wait
/// for each other: `lock`, test, `wait` while the test fails, `broadcast` after
/// a change, `unlock`.
package final class PThreadCondition: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>

    package init() {
        mutex = newMutex()
        condition = .allocate(capacity: 1)
        condition.initialize(to: pthread_cond_t())
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        condition.deinitialize(count: 1)
        condition.deallocate()
        freeMutex(mutex)
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }
    /// Releases the lock until another thread broadcasts, then takes it again.
    package func wait() { pthread_cond_wait(condition, mutex) }
    package func broadcast() { pthread_cond_broadcast(condition) }
}

/// Tunes glibc's allocator for reading many chunks in a row: buffers up to 32 MiB come from
/// the heap instead of fresh `mmap`s, and freed memory is kept for the next chunk instead of
/// being handed back to the kernel. Each decoded chunk then reuses pages the previous one
/// touched; otherwise every chunk's arrays start as untouched pages, and zeroing them on first
/// touch cost a quarter of a whole-file decode (`colprof scan --format none`: 219 → 166 ms).
/// Peak memory is unchanged; memory is returned at exit instead of chunk by chunk.
/// The commands that decode whole files call it first.
package func reuseFreedMemoryForDecoding() {
    // <malloc.h> is not in Glibc's module map: mallopt is looked up by name, with glibc's
    // values of M_TRIM_THRESHOLD (−1) and M_MMAP_THRESHOLD (−3). Another C library has no
    // such symbol, and nothing changes.
    typealias MallocOption = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(nil, "mallopt") else { return }
    let mallopt = unsafeBitCast(symbol, to: MallocOption.self)
    _ = mallopt(-3, 32 << 20)
    _ = mallopt(-1, 1 << 30)
}
