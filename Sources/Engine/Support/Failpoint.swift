import Foundation

/// Test-only pauses at named points of long operations, so crash tests can kill the process at
/// a known step: `QDB_FAILPOINT_<NAME>_MS=500` sleeps 500 ms there. Unset (always, outside
/// tests), a failpoint costs one environment lookup.
enum Failpoint {
    static func pause(_ name: String) {
        let key = "QDB_FAILPOINT_\(name.uppercased())_MS"
        guard let raw = ProcessInfo.processInfo.environment[key], let ms = UInt32(raw), ms > 0 else { return }
        usleep(ms * 1000)
    }
}
