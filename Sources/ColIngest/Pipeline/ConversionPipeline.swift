#if canImport(Glibc)
import Glibc
#endif
import ColFormat

// # The conversion pipeline
//
// Both input formats convert the same way. A record reader (CSVRecordReader,
// JSONRecordReader) runs on its own thread: it reads, tokenizes and
// accumulates chunk k+1 into raw columns while the calling thread finishes
// the columns of chunk k (types, values) and the writer encodes them on all
// cores. There are two raw chunk buffers, passed back and forth through
// `ChunkQueue`: the reader fills one while the other is converted, and waits
// for it to come back before it starts the next. So peak memory depends on
// the chunk size, not on the input size. A third buffer would let the
// reader run a chunk ahead; it costs a chunk of memory (about 15 MiB on the
// 1M-row benchmark) and only absorbs jitter, because the
// converting stage is the slower one (about 70% of the instructions in
// callgrind). Bad records
// go through one `BadRecordPolicy`. The output is written to a temporary file
// and renamed into place only when the whole input converted; any error
// stops the reader and removes every partial output (`abandon`).

/// A record reader: reads its input into chunks on its own thread.
protocol RecordReader<Chunk>: AnyObject, Sendable {
    associatedtype Chunk: RecyclableChunk
    /// Reads every record, handing full chunks to the queue; returns the end-of-input figures.
    func readAll() throws(IngestError) -> ProducerStats
}

enum ConversionPipeline {
    /// Raw chunks in flight between the reader and the converter.
    static let queueDepth = 1

    /// Starts `reader` on its own thread; its chunks, then its end-of-input figures or its error,
    /// come through `queue`.
    static func start<Reader: RecordReader>(_ reader: Reader, queue: ChunkQueue<Reader.Chunk>) {
        let started = startThread(stackSize: 1 << 22) {
            do throws(IngestError) {
                let stats = try reader.readAll()
                _ = queue.put(.finished(stats))
            } catch {
                _ = queue.put(.failed(error))
            }
        }
        if !started { _ = queue.put(.failed(.io("cannot start the reader thread"))) }
    }

    /// Runs `reader` on its own thread and `convert` on the calling thread for
    /// each chunk, in order; `finish` runs at the end of the input. On any
    /// failure the reader is stopped and the outputs are removed.
    static func run<Reader: RecordReader>(
        _ reader: Reader, queue: ChunkQueue<Reader.Chunk>, writer: ColFileWriter, rejects: RejectsFile?,
        convert: (Reader.Chunk) throws(IngestError) -> Void,
        finish: (ProducerStats) throws(IngestError) -> ConversionSummary
    ) throws(IngestError) -> ConversionSummary {
        start(reader, queue: queue)
        var failure: IngestError?
        loop: while true {
            switch queue.take() {
            case let .chunk(chunk):
                do throws(IngestError) { try convert(chunk) } catch {
                    failure = error
                    break loop
                }
                queue.recycle(consume chunk)
            case let .failed(error):
                failure = error
                break loop
            case let .finished(stats):
                queue.releaseBuffers()
                do throws(IngestError) { return try finish(stats) } catch {
                    failure = error
                    break loop
                }
            }
        }
        queue.cancel()
        writer.abort()
        rejects?.discard()
        throw failure ?? .io("conversion stopped")
    }
}

/// The bookkeeping both converters share: progress after each chunk, and the end of the file.
struct ConversionRun {
    let started = SystemClock.monotonicSeconds()
    let input: String
    let output: String
    let inputSize: Int?
    let options: ConversionOptions
    private(set) var chunks = 0
    private(set) var rows: UInt64 = 0

    init(input: String, output: String, inputSize: Int?, options: ConversionOptions) {
        self.input = input
        self.output = output
        self.inputSize = inputSize
        self.options = options
    }

    mutating func chunkWritten(rows: Int, inputBytes: Int) {
        chunks += 1
        self.rows += UInt64(rows)
        options.progress?(ConversionProgress(rows: self.rows, inputBytes: inputBytes, inputSize: inputSize,
                                             seconds: SystemClock.monotonicSeconds() - started))
    }

    /// Records provenance, finishes the .col file and closes the rejects file.
    func finish(writer: ColFileWriter, rejects: RejectsFile?, stats: ProducerStats, rejected: Int,
                decisions: [(subject: String, decision: String)]) throws(IngestError) -> ConversionSummary {
        let provenance = Provenance(source: input, sourceSize: UInt64(stats.inputBytes), sourceHash: stats.hash,
                                    tool: options.tool, createdAt: Provenance.now(), options: options.recordedOptions,
                                    decisions: decisions)
        // Both files are written out before either is renamed: a full disk or a size limit
        // while finishing the .col file leaves no rejects file behind either.
        try rejects?.prepare()
        do { try writer.finish(provenance: provenance) } catch { throw .format(error) }
        try rejects?.close()
        var st = stat()
        let outputBytes = output != "-" && stat(output, &st) == 0 ? Int(st.st_size) : 0
        return ConversionSummary(rows: rows, columns: writer.columns.count, chunks: chunks, inputBytes: stats.inputBytes,
                                 outputBytes: outputBytes, seconds: SystemClock.monotonicSeconds() - started,
                                 rejectedRecords: rejected, decisions: decisions, peakRSS: peakResidentBytes())
    }
}

/// Peak resident set size of this process, in bytes.
package func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Int(usage.ru_maxrss) * 1024
}
