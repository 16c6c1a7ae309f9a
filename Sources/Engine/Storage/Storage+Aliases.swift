import Foundation

/// One action of `POST /collections/aliases`.
public enum AliasAction: Sendable {
    case create(collection: String, alias: String)
    case delete(alias: String)
    case rename(old: String, new: String)
}

extension Storage {
    /// Every alias and the collection it points to, sorted by alias.
    public func aliases(of collection: String? = nil) -> [(alias: String, collection: String)] {
        aliasSnapshot().filter { collection == nil || $0.value == collection }
            .sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Applies all actions or none.
    public func updateAliases(_ actions: [AliasAction]) throws {
        try withAliases { map, collections in
            for action in actions {
                switch action {
                case .create(let c, let a):
                    try Storage.validateName(a, what: "alias")
                    guard collections.contains(c) else { throw StorageError.collectionNotFound(c) }
                    guard !collections.contains(a) else {
                        throw StorageError(.alreadyExists, "Wrong input: Collection `\(a)` already exists!")
                    }
                    map[a] = c
                case .delete(let a):
                    guard map.removeValue(forKey: a) != nil else { throw StorageError(.notFound, "Alias \(a) does not exists!") }
                case .rename(let old, let new):
                    try Storage.validateName(new, what: "alias")
                    guard let c = map.removeValue(forKey: old) else { throw StorageError(.notFound, "Alias \(old) does not exists!") }
                    guard !collections.contains(new) else {
                        throw StorageError(.alreadyExists, "Wrong input: Collection `\(new)` already exists!")
                    }
                    map[new] = c
                }
            }
        }
    }

    func saveAliasesLocked(_ map: [String: String]) throws {
        try FileIO.writeAtomically(try [UInt8].json(map), to: aliasesPath)
    }
}
