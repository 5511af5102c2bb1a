// Cutting CSV at exact record boundaries, so that the pieces parse on all cores.
//
// Design. Where a record ends depends on everything before it: a line break
// inside quotes is data. The splitter makes that dependency cheap and exact in
// three steps, none of which guesses:
//
// 1. The input is cut into blocks of `blockSize` bytes. For each block, in
//    parallel, and for each of the seven states the tokenizer can be in at the
//    block's first byte (below), it finds the block's first record boundary.
//    From the boundaries found, it runs the block to its end and records the
//    state there. The hypotheses meet at the first line break outside quotes,
//    so the full run is made once or twice per block, not seven times. Runs
//    jump from quote to quote with `memchr` (`run`).
// 2. In order, the blocks' states are chained: the first block starts at a
//    record boundary; block b starts in the state block b−1 ended in, which
//    picks block b's true first boundary (its seam) and its true end state.
// 3. The slices between seams are tokenized in parallel by the scalar
//    `CSVTokenizer` (CSVParallelReader.swift). A slice must end exactly at a
//    line break: when one does not (a field longer than `maxFieldBytes`
//    changes where the error recovery resumes, which the states do not model),
//    the rest of the input is tokenized serially from that slice on. So the
//    result is always the scalar tokenizer's, record for record, error for error.
//
// The states are the tokenizer's (CSVTokenizer.swift), with its error
// recovery (`skipToLineEnd`) as a state of its own, and two kinds of field
// start: `recordStart` is a record boundary, `fieldStart` follows a delimiter.
// `afterCR` is a record boundary unless an LF follows (CRLF).
//
// Lines need no state: the tokenizer counts every CR, and every LF not right
// after a CR, inside quotes and out. So each slice counts its own lines from
// 1, and the lines before it are added when the slices are joined in order.

import ColFormat
#if canImport(Glibc)
import Glibc
#endif

/// The state machine of record boundaries, and the seams of an input.
struct CSVBlockSplitter: Sendable {
    enum State: UInt8, CaseIterable {
        case recordStart, fieldStart, unquoted, quoted, afterQuote, skipping, afterCR
    }

    /// One block's facts, found in parallel.
    struct BlockScan: Sendable {
        /// The first record boundary in the block for each start state (nil: none in the block).
        var firstBoundary: [Int?]
        /// The state at the block's end when running from each first boundary.
        var endState: [Int: State]
    }

    let delimiter: UInt8
    let quote: UInt8?
    /// The next state for each state and byte: `transitions[state << 8 | byte]`.
    private let transitions: [State]

    init(dialect: CSVDialect) {
        delimiter = dialect.delimiter
        quote = dialect.quote
        var table = [State](repeating: .recordStart, count: State.allCases.count << 8)
        for b in 0..<256 {
            let byte = UInt8(b)
            let isQuote = byte == dialect.quote
            let isDelimiter = byte == dialect.delimiter
            let lineEnd: State? = byte == 0x0A ? .recordStart : byte == 0x0D ? .afterCR : nil
            let atFieldStart: State = isQuote ? .quoted : isDelimiter ? .fieldStart : lineEnd ?? .unquoted
            table[Int(State.recordStart.rawValue) << 8 | b] = atFieldStart
            table[Int(State.fieldStart.rawValue) << 8 | b] = atFieldStart
            table[Int(State.unquoted.rawValue) << 8 | b] = isDelimiter ? .fieldStart : lineEnd ?? .unquoted
            table[Int(State.quoted.rawValue) << 8 | b] = isQuote ? .afterQuote : .quoted
            table[Int(State.afterQuote.rawValue) << 8 | b] = isQuote ? .quoted : isDelimiter ? .fieldStart : lineEnd ?? .skipping
            table[Int(State.skipping.rawValue) << 8 | b] = lineEnd ?? .skipping
            table[Int(State.afterCR.rawValue) << 8 | b] = byte == 0x0A ? .recordStart : atFieldStart
        }
        transitions = table
    }

    /// The state after `byte` in `state`.
    @inline(__always) func next(_ state: State, _ byte: UInt8) -> State {
        transitions.withUnsafeBufferPointer { $0[Int(state.rawValue) << 8 | Int(byte)] }
    }

    /// Whether the position before `byte`, reached in `state`, is a record boundary.
    @inline(__always) static func isBoundary(_ state: State, before byte: UInt8?) -> Bool {
        state == .recordStart || (state == .afterCR && byte != 0x0A)
    }

    /// The first record boundary at or after `start` and at most `end` for a run that is in
    /// `state` at `start`; nil when there is none.
    func firstBoundary(_ p: UnsafeBufferPointer<UInt8>, from state: State, start: Int, end: Int) -> Int? {
        var s = state
        var i = start
        while i < end {
            if Self.isBoundary(s, before: p[i]) { return i }
            s = next(s, p[i])
            i += 1
        }
        return Self.isBoundary(s, before: end < p.count ? p[end] : nil) ? end : nil
    }

    /// The state at `end` for a run that is in `state` at `start`. Runs inside quotes and
    /// inside unquoted fields are skipped with `memchr` to the next quote: outside quotes a
    /// quote matters only at a field's start, and the state before it follows from the byte
    /// before it alone.
    func run(_ p: UnsafeBufferPointer<UInt8>, from state: State, start: Int, end: Int) -> State {
        var s = state
        var i = start
        guard let base = p.baseAddress else { return s }
        return transitions.withUnsafeBufferPointer { t in
            while i < end {
                switch s {
                case .quoted, .unquoted:
                    guard let q = quote, let found = memchr(base + i, Int32(q), end - i) else {
                        // No quote up to `end`: inside quotes nothing changes; outside, the last byte decides.
                        if s == .unquoted { s = t[Int(State.unquoted.rawValue) << 8 | Int(p[end - 1])] }
                        return s
                    }
                    let j = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    if s == .unquoted && j > i { s = t[Int(State.unquoted.rawValue) << 8 | Int(p[j - 1])] }
                    s = t[Int(s.rawValue) << 8 | Int(q)]
                    i = j + 1
                default:
                    s = t[Int(s.rawValue) << 8 | Int(p[i])]
                    i += 1
                }
            }
            return s
        }
    }

    /// The facts of the block `start..<end`.
    func scan(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int) -> BlockScan {
        var firsts: [Int?] = []
        for state in State.allCases { firsts.append(firstBoundary(p, from: state, start: start, end: end)) }
        // From the earliest boundary, one run to the end, stopping at each later candidate: one
        // that this run reaches as a boundary ends in the same state. The others get runs of their own.
        let candidates = Set(firsts.compactMap { $0 }).sorted()
        var ends: [Int: State] = [:]
        for (k, from) in candidates.enumerated() where ends[from] == nil {
            var s = State.recordStart
            var at = from
            var met = [from]
            for later in candidates[(k + 1)...] where ends[later] == nil {
                s = run(p, from: s, start: at, end: later)
                at = later
                if Self.isBoundary(s, before: later < p.count ? p[later] : nil) { met.append(later) }
            }
            s = run(p, from: s, start: at, end: end)
            for m in met { ends[m] = s }
        }
        return BlockScan(firstBoundary: firsts, endState: ends)
    }

    /// The record boundaries in `p[start..<end]`, which starts at one: `start` and then the first
    /// boundary in each later block of `blockSize` bytes that has one, with the state at `end`.
    /// The blocks are scanned on all cores.
    func boundaries(_ p: UnsafeBufferPointer<UInt8>, start: Int, end: Int, blockSize: Int) -> (offsets: [Int], state: State) {
        let size = max(blockSize, 1)
        let blocks = max((end - start + size - 1) / size, 1)
        let base = UInt(bitPattern: p.baseAddress)
        let count = p.count
        let scans = parallelMap(blocks - 1) { k in
            let q = UnsafeBufferPointer(start: UnsafePointer<UInt8>(bitPattern: base), count: count)
            let from = start + (k + 1) * size
            return scan(q, start: from, end: min(from + size, end))
        }
        var offsets = [start]
        var state = run(p, from: .recordStart, start: start, end: min(start + size, end))
        for k in 0..<(blocks - 1) {
            let from = start + (k + 1) * size
            let to = min(from + size, end)
            if let first = scans[k].firstBoundary[Int(state.rawValue)] {
                if first > offsets[offsets.count - 1] && first < end { offsets.append(first) }
                state = scans[k].endState[first] ?? run(p, from: .recordStart, start: first, end: to)
            } else {
                state = run(p, from: state, start: from, end: to)
            }
        }
        return (offsets, state)
    }
}
