import CLZ4
import ColBytes
import CZstd

/// Compresses and decompresses blocks, reusing one zstd context and one output
/// buffer for its lifetime. Not thread-safe: use one per thread.
public final class BlockCompressor {
    private var cctx: OpaquePointer?
    private var dctx: OpaquePointer?
    /// The output buffer, reused between calls.
    public private(set) var output: [UInt8] = []

    /// A compressor with no contexts yet; they are created on first use.
    public init() {}

    deinit {
        if let c = cctx { ZSTD_freeCCtx(c) }
        if let d = dctx { ZSTD_freeDCtx(d) }
    }

    /// Compresses `input`; returns the codec actually used (`.none` when the
    /// requested codec did not make the block smaller) and leaves the stored
    /// bytes in `output`.
    public func compress(_ input: UnsafeRawBufferPointer, codec: Codec, level: Int32) -> Codec {
        switch codec {
        case .none:
            break
        case .zstd:
            if cctx == nil { cctx = ZSTD_createCCtx() }
            if let ctx = cctx {
                let bound = ZSTD_compressBound(input.count)
                if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
                let n = output.withUnsafeMutableBytes { out in
                    ZSTD_compressCCtx(ctx, out.baseAddress, bound, input.baseAddress, input.count, level)
                }
                if ZSTD_isError(n) == 0 && n < input.count {
                    output.removeSubrange(n...)
                    return .zstd
                }
            }
        case .lz4:
            if input.count <= Int(LZ4_MAX_INPUT_SIZE) {
                let bound = Int(LZ4_compressBound(Int32(input.count)))
                if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
                let n = output.withUnsafeMutableBytes { out in
                    LZ4_compress_default(
                        input.baseAddress?.assumingMemoryBound(to: CChar.self),
                        out.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(input.count), Int32(bound))
                }
                if n > 0 && Int(n) < input.count {
                    output.removeSubrange(Int(n)...)
                    return .lz4
                }
            }
        }
        output.removeAll(keepingCapacity: true)
        output.append(contentsOf: input)
        return .none
    }

    /// One zstd frame of `input`, whatever its size.
    public func frame(_ input: UnsafeRawBufferPointer, level: Int32) -> [UInt8]? {
        if cctx == nil { cctx = ZSTD_createCCtx() }
        guard let ctx = cctx else { return nil }
        let bound = ZSTD_compressBound(input.count)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBytes { o in ZSTD_compressCCtx(ctx, o.baseAddress, bound, input.baseAddress, input.count, level) }
        guard ZSTD_isError(n) == 0 else { return nil }
        out.removeSubrange(n...)
        return out
    }

    /// Decompresses a block into `into`, which must come out exactly `rawLength` bytes.
    /// Returns false when the block does not decode to that length.
    public func decompress(
        _ input: UnsafeRawBufferPointer, codec: Codec, rawLength: Int, into out: inout [UInt8]
    ) -> Bool {
        out.removeAll(keepingCapacity: true)
        switch codec {
        case .none:
            guard input.count == rawLength else { return false }
            out.append(contentsOf: input)
            return true
        case .zstd:
            if dctx == nil { dctx = ZSTD_createDCtx() }
            guard let ctx = dctx else { return false }
            // One frame, or several concatenated (the chunk-statistics section); each declares its size.
            var declared: UInt64 = 0
            var at = 0
            while at < input.count {
                let base = input.baseAddress.map { $0 + at }
                let size = ZSTD_getFrameContentSize(base, input.count - at)
                let length = ZSTD_findFrameCompressedSize(base, input.count - at)
                guard ZSTD_isError(length) == 0, length > 0, size <= UInt64(rawLength) - declared else { return false }
                declared += size
                at += length
            }
            guard declared == UInt64(rawLength) else { return false }
            // Uninitialized capacity: the pages a forged size claims are only touched as real output arrives.
            var n = 0
            out = [UInt8](ownedCapacity: rawLength) { o, initialized in
                n = ZSTD_decompressDCtx(ctx, o.baseAddress, rawLength, input.baseAddress, input.count)
                initialized = ZSTD_isError(n) == 0 ? n : 0
            }
            return ZSTD_isError(n) == 0 && n == rawLength
        case .lz4:
            guard rawLength <= Int(Int32.max) else { return false }
            // LZ4 expands at most 255 bytes per input byte; a larger claim is forged.
            guard input.count <= Int(Int32.max), rawLength / 255 <= input.count + 1 else { return false }
            var n: Int32 = 0
            out = [UInt8](ownedCapacity: rawLength) { o, initialized in
                n = LZ4_decompress_safe(
                    input.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                    o.baseAddress.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(input.count), Int32(rawLength))
                initialized = n > 0 ? Int(n) : 0
            }
            return Int(n) == rawLength
        }
    }
}
