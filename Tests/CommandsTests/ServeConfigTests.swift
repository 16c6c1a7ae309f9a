import Foundation
import Testing
@testable import Commands

@Suite struct ServeConfigTests {
    func yaml(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "qdb-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func defaults() throws {
        let c = try ServeConfig.load(file: nil, environment: [:])
        #expect(c.host == "127.0.0.1")
        #expect(c.httpPort == 6333)
        #expect(c.storagePath == "./storage")
        #expect(c.snapshotsPath == "./snapshots")
        #expect(c.apiKey == nil)
    }

    @Test func fileThenEnvironment() throws {
        let file = try yaml("""
            service:
              http_port: 7000
              api_key: from-file
            storage:
              storage_path: /tmp/a
            log_level: debug
            """)
        let c = try ServeConfig.load(
            file: file, environment: ["QDB__SERVICE__HTTP_PORT": "7001", "QDRANT__SERVICE__READ_ONLY_API_KEY": "ro", "HOME": "/x"])
        #expect(c.httpPort == 7001)
        #expect(c.apiKey == "from-file")
        #expect(c.readOnlyApiKey == "ro")
        #expect(c.storagePath == "/tmp/a")
        #expect(c.logLevel == "debug")
    }

    @Test func optimizersOverwriteIsReadFromFileAndEnvironment() throws {
        let file = try yaml("""
            storage:
              optimizers:
                indexing_threshold_kb: 500
              optimizers_overwrite:
                indexing_threshold_kb: 1
                deleted_threshold: 0.5
                prevent_unoptimized: true
            """)
        let c = try ServeConfig.load(file: file, environment: ["QDRANT__STORAGE__OPTIMIZERS_OVERWRITE__MAX_OPTIMIZATION_THREADS": "2"])
        #expect(c.optimizersOverwrite == ["indexing_threshold": .int(1), "deleted_threshold": .double(0.5), "max_optimization_threads": .int(2)])
        #expect(c.collectionDefaults.optimizers == ["indexing_threshold": .int(500)], "the defaults stay apart from the overwrite")
        #expect(c.ignoredKeys == ["storage.optimizers_overwrite.prevent_unoptimized"])
        #expect(throws: ConfigError.self) {
            try ServeConfig.load(file: nil, environment: ["QDB__STORAGE__OPTIMIZERS_OVERWRITE__DELETED_THRESHOLD": "2"])
        }
    }

    @Test func unknownKeysAndBadValuesAreErrors() throws {
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: try yaml("service:\n  htp_port: 1\n"), environment: [:]) }
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: try yaml("service:\n  http_port: abc\n"), environment: [:]) }
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: nil, environment: ["QDB__SERVICE__HTTP_PORT": "70000"]) }
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: nil, environment: ["QDB__NOPE": "1"]) }
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: try yaml("- a list\n"), environment: [:]) }
        do {
            _ = try ServeConfig.load(file: try yaml("service:\n  htp_port: 1\n"), environment: [:])
        } catch let e as ConfigError {
            #expect(e.message.contains("service.htp_port"))
        }
    }

    @Test func flagsWinOverEnvironment() throws {
        setenv("QDB__SERVICE__HTTP_PORT", "7100", 1)
        defer { unsetenv("QDB__SERVICE__HTTP_PORT") }
        let serve = try Serve.parse(["--http-port", "7200"])
        #expect(try serve.resolvedConfig().httpPort == 7200)
        let plain = try Serve.parse([])
        #expect(try plain.resolvedConfig().httpPort == 7100)
    }

    @Test func exitCodesComeFromOnePlace() {
        #expect(ExitStatus.code(for: ConfigError("x")) == 78)
        #expect(ExitStatus.code(for: CommandFailure(69, "x")) == 69)
    }
}
