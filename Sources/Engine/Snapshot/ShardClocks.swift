import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A shard's clock maps, `newest_clocks.json` and `oldest_clocks.json` (Qdrant's `ClockMap`,
/// `lib/collection/src/shards/local_shard/clock_map.rs`): `{"clocks":[{peer_id, clock_id,
/// current_tick, token}], "snapshot"?: […]}`. Qdrant's WAL-less shard archives (stored shard
/// snapshots, shard streams, partial snapshots) always carry both, serialized from the maps
/// captured before the data (`LocalShardClocks::archive_data_from`); collection snapshots carry
/// them only when the shard has persisted ones. qdb applies no clock tags (one node, no
/// replication), so its maps are empty: its shard-level archives carry `{"clocks":[]}` twice,
/// as Qdrant writes them for such a shard.
///
/// Read back tolerantly: an archive's clock files are kept in the shard directory when they
/// are a clock map, and dropped when they are not (nothing in qdb needs them).
enum ShardClocks {
    static let names = ["newest_clocks.json", "oldest_clocks.json"]
    static let empty = Array(#"{"clocks":[]}"#.utf8)

    struct ClockMap: Decodable {
        struct KeyClock: Decodable {
            var peer_id: UInt64
            var clock_id: UInt32
            var current_tick: UInt64
            var token: UInt64
        }
        var clocks: [KeyClock]
        var snapshot: [KeyClock]?
    }

    /// Both clock files at `prefix`, for a shard-level archive.
    static func add(prefix: String, to tar: TarWriter) throws -> [FileDigest] {
        try names.map { try tar.addData(prefix + $0, empty) }
    }

    /// Whether `bytes` are a clock map.
    static func isClockMap(_ bytes: [UInt8]) -> Bool {
        (try? JSONDecoder().decode(ClockMap.self, from: Data(bytes))) != nil
    }

    /// Keeps the clock files of an unpacked shard at `dir` that are clock maps (at most 1 MiB),
    /// removes the others.
    static func adopt(dir: String) {
        for name in names where FileIO.exists(dir + "/" + name) {
            let path = dir + "/" + name
            let bytes = try? SegmentFiles.readSmall(path, name, limit: 1 << 20)
            if !(bytes.map(isClockMap) ?? false) { unlink(path) }
        }
    }
}
