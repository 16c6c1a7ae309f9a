import Foundation
import Testing
@testable import Commands

/// `service.grpc_port`: 6334 by default, `0`/null disables gRPC, and `--grpc-port` wins over the
/// environment and the file like every other flag.
@Suite struct GRPCPortConfigTests {
    @Test func defaultAndDisable() throws {
        #expect(try ServeConfig.load(file: nil, environment: [:]).grpcPort == 6334)
        #expect(try ServeConfig.load(file: nil, environment: ["QDB__SERVICE__GRPC_PORT": "0"]).grpcPort == nil)
        #expect(try ServeConfig.load(file: nil, environment: ["QDRANT__SERVICE__GRPC_PORT": "7334"]).grpcPort == 7334)
        #expect(throws: ConfigError.self) { try ServeConfig.load(file: nil, environment: ["QDB__SERVICE__GRPC_PORT": "70000"]) }
    }

    @Test func flag() throws {
        #expect(try Serve.parse(["--grpc-port", "7001"]).resolvedConfig().grpcPort == 7001)
        #expect(try Serve.parse(["--grpc-port", "0"]).resolvedConfig().grpcPort == nil)
        #expect(throws: ConfigError.self) { try Serve.parse(["--grpc-port=-1"]).resolvedConfig() }
    }
}
