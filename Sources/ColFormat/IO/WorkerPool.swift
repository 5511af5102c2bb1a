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
