extension Array {
    /// `init(unsafeUninitializedCapacity:initializingWith:)`, with a capacity of at least 1.
    /// With 0 the standard library hands out its shared empty-array storage and then writes
    /// the count (0) into it, while other threads read it: a data race ThreadSanitizer
    /// reports. Every array the decoders build in uninitialized memory goes through here.
    @inlinable package init(ownedCapacity capacity: Int,
                            initializingWith body: (inout UnsafeMutableBufferPointer<Element>, inout Int) -> Void) {
        self.init(unsafeUninitializedCapacity: Swift.max(capacity, 1), initializingWith: body)
    }
}
