#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// Runs `body` for every index on up to all cores and returns the results in order.
package func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let results = PThreadLocked<[T?]>([T?](repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let r = body(i)
        results.withLock { $0[i] = r }
    }
    return results.withLock { $0.compactMap { $0 } }
}

/// A pool of per-thread workers (encoders and compressors keep their buffers between uses).
final class WorkerPool<W: AnyObject & Sendable>: Sendable {
    private let lock = PThreadLocked<[W]>([])
    private let make: @Sendable () -> W
    init(make: @escaping @Sendable () -> W) { self.make = make }

    func with<R>(_ body: (W) -> R) -> R {
        let w = lock.withLock { $0.popLast() } ?? make()
        defer { lock.withLock { $0.append(w) } }
        return body(w)
    }
}

/// A value behind a pthread mutex. Used instead of `Synchronization.Mutex` where
/// threads hand work to each other, because ThreadSanitizer (`make sanitize`)
/// sees the ordering a pthread mutex gives, and not that of Mutex's futex on Linux.
final class PThreadLocked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&value)
    }
}
