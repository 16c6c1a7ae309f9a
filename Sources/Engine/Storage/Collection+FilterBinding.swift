extension Filter {
    /// The filter as `c` evaluates it: `has_vector` names bound to vector slots, and full-text
    /// conditions bound to the text indexes of the collection's payload schema.
    func bound(to c: Collection) -> Filter {
        let f = bindingVectors(c.filterVectorNames)
        guard f.usesFullText else { return f }
        return f.bindingTextIndexes(TextTokenizer.indexes(in: c.payloadSchema))
    }
}
