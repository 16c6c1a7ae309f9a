import Foundation

extension Shard {
    /// Records a changed set of indexed fields in every sealed segment (their
    /// `payload_index/config.json`), under a sequence number of its own, as Qdrant applies a
    /// field-index operation to every segment at that operation's number. The caller holds the
    /// write lock. The appendable segment takes the fields when it is sealed.
    func recordIndexedFieldsLocked(_ fields: [String: JSONValue]) throws {
        indexedFields = fields
        let sealed = segments.filter(\.isSealed)
        guard !sealed.isEmpty else { return }
        lastSeq += 1
        for seg in sealed {
            try seg.writePayloadIndexConfig(in: segmentsDir, indexedFields: fields, version: lastSeq)
        }
    }
}
