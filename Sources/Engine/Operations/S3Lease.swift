import Foundation

/// A lease on an S3 snapshots prefix (`<root>/.qdb-lease`), held by prune while it decides and
/// deletes: the holder (pid, host, start, purpose), a fencing token and an expiry. S3 has no
/// locks, so the lease is written, read back after a short settle, and is ours only if our
/// token is what S3 then holds (the last writer wins); a heartbeat thread renews it every
/// third of its TTL, and `check()` (called before every delete) re-reads it, so a holder that
/// lost it (expired while paused, taken over) stops before its next write. A holder that
/// died leaves a lease that expires after its TTL and is then taken over; no unlock is needed.
public final class S3Lease: @unchecked Sendable {
    public struct Record: Codable, Sendable, Equatable {
        public var holder: RepositoryLock.Holder
        public var token: String
        public var expires_at: Double
    }

    public let client: S3Client
    public let key: String
    public let ttl: Double
    let token = UUID().uuidString.lowercased()
    let holder: RepositoryLock.Holder
    private let cond = NSCondition()
    private var released = false
    private var lost: String?
    private let heartbeatDone = DispatchGroup()

    init(client: S3Client, key: String, ttl: Double, purpose: String) {
        self.client = client
        self.key = key
        self.ttl = ttl
        holder = RepositoryLock.Holder(pid: getpid(), host: RepositoryLock.hostName(), started_at: OperationInfo.timestamp(Date()), purpose: purpose)
    }

    /// Takes the lease of `store`'s prefix, waiting up to `wait` for a live holder; then throws
    /// `OperationError(.locked)` naming it.
    public static func acquire(store: S3SnapshotStore, purpose: String, ttl: Double = 30, wait: Duration = .zero,
                               settle: Double = 0.3) throws -> S3Lease {
        let key = (store.root.isEmpty ? "" : store.root + "/") + ".qdb-lease"
        let lease = S3Lease(client: store.client, key: key, ttl: ttl, purpose: purpose)
        let deadline = ContinuousClock.now + wait
        while true {
            let current = try lease.read()
            if let current, current.expires_at > Date().timeIntervalSince1970, current.token != lease.token {
                guard ContinuousClock.now < deadline else {
                    throw OperationError(.locked, "snapshots prefix s3://\(store.client.endpoint.bucket)/\(store.root) is leased by \(current.holder) until \(OperationInfo.timestamp(Date(timeIntervalSince1970: current.expires_at))); try again when it is done")
                }
                usleep(200_000)
                continue
            }
            try lease.write()
            usleep(useconds_t(settle * 1_000_000))
            if try lease.read()?.token == lease.token {
                lease.startHeartbeat()
                return lease
            }
        }
    }

    func read() throws -> Record? {
        guard let bytes = try client.getSmallObject(key) else { return nil }
        return try? JSONDecoder().decode(Record.self, from: Data(bytes))
    }

    func write() throws {
        let record = Record(holder: holder, token: token, expires_at: Date().timeIntervalSince1970 + ttl)
        try client.putObject(key, Array(try JSONEncoder().encode(record)), contentType: "application/json")
    }

    /// Throws `.locked` when the lease is no longer ours (the fencing check before each write).
    public func check() throws {
        if let lost = cond.withLock({ lost }) { throw OperationError(.locked, lost) }
        let current = try read()
        guard current?.token == token else {
            let who = current.map { "\($0.holder)" } ?? "nobody (it was removed)"
            let message = "lost the lease on \(key) to \(who); stopped before the next delete"
            cond.withLock { lost = message }
            throw OperationError(.locked, message)
        }
    }

    private func startHeartbeat() {
        heartbeatDone.enter()
        let t = Thread { [self] in
            defer { heartbeatDone.leave() }
            while true {
                let stop: Bool = cond.withLock {
                    _ = cond.wait(until: Date().addingTimeInterval(ttl / 3))
                    return released
                }
                if stop { return }
                do {
                    try check()
                    try write()
                } catch {
                    cond.withLock { if lost == nil { lost = "the lease on \(key) could not be renewed: \(error)" } }
                    return
                }
            }
        }
        t.name = "qdb-s3-lease"
        t.start()
    }

    /// Stops the heartbeat and removes the lease if it is still ours.
    public func release() {
        let first: Bool = cond.withLock {
            defer { released = true; cond.broadcast() }
            return !released
        }
        guard first else { return }
        heartbeatDone.wait()
        if (try? read())?.token == token { try? client.deleteObject(key) }
    }

    deinit { release() }
}
