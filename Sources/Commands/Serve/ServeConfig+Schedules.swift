import Engine
import Foundation
import Yams

extension ServeConfig {
    /// `storage.snapshots_config.schedules`: a YAML list in the config file, or the same list as
    /// YAML/JSON text in `QDB__STORAGE__SNAPSHOTS_CONFIG__SCHEDULES` or `--schedules`:
    ///
    ///     schedules:
    ///       - name: nightly
    ///         collections: ["*"]        # or names; or full: true
    ///         cron: "0 3 * * *"         # or every: 6h
    ///         jitter: 5m
    ///         verify: true
    ///         keep: {keep_daily: 7, keep_weekly: 4}
    static func parseSchedules(_ raw: Any, source: String) throws -> [SnapshotSchedule] {
        var value: Any? = raw
        if let text = raw as? String {
            do { value = try Yams.load(yaml: text) } catch {
                throw ConfigError("`storage.snapshots_config.schedules` in \(source) is not valid YAML or JSON: \(error)")
            }
        }
        if value == nil || value is NSNull { return [] }
        guard let list = value as? [Any] else {
            throw ConfigError("`storage.snapshots_config.schedules` in \(source) must be a list of schedules")
        }
        let entries: [Any] = list.enumerated().map { i, item in
            guard var map = item as? [String: Any] else { return item }
            if map["name"] == nil { map["name"] = "schedule-\(i + 1)" }
            if let one = map["collections"] as? String { map["collections"] = [one] }
            return map
        }
        let schedules: [SnapshotSchedule]
        do {
            let data = try JSONSerialization.data(withJSONObject: entries)
            schedules = try JSONDecoder().decode([SnapshotSchedule].self, from: data)
        } catch {
            throw ConfigError("bad `storage.snapshots_config.schedules` in \(source): \(error)")
        }
        var names = Set<String>()
        for s in schedules {
            do { try s.validate() } catch { throw ConfigError("bad `storage.snapshots_config.schedules` in \(source): \(error)") }
            guard names.insert(s.name).inserted else {
                throw ConfigError("bad `storage.snapshots_config.schedules` in \(source): two schedules are named \(s.name)")
            }
        }
        return schedules
    }
}
