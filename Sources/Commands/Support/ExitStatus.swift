import ArgumentParser
import Engine
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one place that maps errors to exit codes (sysexits-style, see STYLE.md):
/// 0 ok · 1 failure · 3 partial/warnings · 64 usage · 65 data error · 66 not found · 69 unavailable ·
/// 73 can't create · 74 I/O · 75 temp-fail (lock held) · 77 no permission · 78 config · 130 interrupted.
public enum ExitStatus {
    public static let ok: Int32 = 0
    public static let failure: Int32 = 1
    public static let partial: Int32 = 3
    /// Nothing to do: the requester is already up to date (`qdb snapshot partial`, `qdb restore
    /// --partial` of an empty stream). Shares 3 with "partial": success, with something to note.
    public static let upToDate: Int32 = 3
    public static let usage: Int32 = 64
    public static let dataError: Int32 = 65
    public static let notFound: Int32 = 66
    public static let unavailable: Int32 = 69
    public static let cantCreate: Int32 = 73
    public static let ioError: Int32 = 74
    public static let tempFail: Int32 = 75
    public static let noPermission: Int32 = 77
    public static let config: Int32 = 78
    public static let interrupted: Int32 = 130

    /// The exit code for `error`.
    public static func code(for error: Error) -> Int32 {
        switch error {
        case let e as StorageError:
            switch e.code {
            case .notFound: return notFound
            case .alreadyExists: return cantCreate
            case .badInput: return dataError
            case .locked: return tempFail
            case .io, .insufficientStorage: return ioError
            case .corrupt: return dataError
            }
        case let e as SnapshotError:
            switch e.code {
            case .notFound: return notFound
            case .badInput, .checksumMismatch, .corrupt: return dataError
            case .forbidden: return noPermission
            case .busy: return tempFail
            case .io, .insufficientStorage: return ioError
            }
        case let e as ArchiveError:
            return e.code == .io || e.code == .insufficientStorage ? ioError : dataError
        case is BoundsError: return dataError
        case let e as RemoteError:
            switch e.status {
            case 0: return unavailable
            case 404: return notFound
            case 401, 403: return noPermission
            case 409: return cantCreate
            case 400, 413, 422: return dataError
            case 503: return tempFail
            case 507: return ioError
            default: return failure
            }
        case let e as OperationError:
            switch e.code {
            case .cancelled: return interrupted
            case .notFound: return notFound
            case .finished: return failure
            case .badInput: return usage
            case .locked: return tempFail
            }
        case is TransportError: return unavailable
        case let e as S3Error:
            switch e.code {
            case .notFound, .noSuchBucket: return notFound
            case .accessDenied: return noPermission
            case .unavailable: return unavailable
            case .failed: return failure
            }
        case is ConfigError: return config
        case let e as CommandFailure: return e.exitCode
        default: return failure
        }
    }

    /// The text every command's help ends with.
    static let helpSection = """
        EXIT STATUS
          0   success
          1   failure not covered below
          3   nothing to do: already up to date (snapshot partial, restore --partial)
          64  usage error (bad flags or arguments)
          65  data error: bad input, corrupt data, checksum mismatch
          66  not found: no such collection, snapshot or S3 bucket
          69  server or peer unavailable
          73  cannot create: it exists already
          74  I/O error (disk full, unreadable file)
          75  locked: another qdb process holds the storage or snapshots directory
          77  permission denied (API key, S3 credentials)
          78  configuration error
          130 interrupted, or the operation was cancelled
        """
}

/// A failure a command reports with a chosen exit code and message.
public struct CommandFailure: Error, CustomStringConvertible {
    public var exitCode: Int32
    public var message: String
    public var description: String { message }

    public init(_ exitCode: Int32, _ message: String) {
        self.exitCode = exitCode
        self.message = message
    }
}

/// Writes a line to stderr (Glibc's `stderr` global is not concurrency-safe in Swift 6).
func printError(_ text: String) {
    writeFully(STDERR_FILENO, text.hasSuffix("\n") ? text : text + "\n")
}

/// Writes all of `text` to `fd` with as few `write(2)` calls as it takes (one, normally, so
/// lines from different threads do not interleave); gives up silently on a closed descriptor.
func writeFully(_ fd: Int32, _ text: String) {
    var bytes = Array(text.utf8)
    writeFully(fd, &bytes)
}

func writeFully(_ fd: Int32, _ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { raw in
        var off = 0
        while off < raw.count {
            let n = write(fd, raw.baseAddress! + off, raw.count - off)
            if n <= 0 { break }
            off += n
        }
    }
}

/// Commands implement `execute()`; `run()` maps any error to its message on stderr and its exit code.
protocol QDBCommand: AsyncParsableCommand {
    func execute() async throws
}

extension QDBCommand {
    /// Whether the command was given `--json` (any command with an `OutputOptions` group).
    var jsonOutput: Bool {
        Mirror(reflecting: self).children.contains { ($0.value as? OptionGroup<OutputOptions>)?.wrappedValue.json == true }
    }

    public func run() async throws {
        do {
            try await execute()
        } catch let e as ExitCode {
            throw e
        } catch let e as ValidationError {
            throw e
        } catch {
            let code = ExitStatus.code(for: error)
            if jsonOutput {
                // In --json mode a fatal error is one JSON object on stderr (stdout stays data).
                let e = JSONEncoder()
                e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                printError(String(decoding: (try? e.encode(JSONFailure(error: "\(error)", exit_code: code))) ?? Data(), as: UTF8.self))
            } else {
                printError("qdb: \(error)")
            }
            throw ExitCode(code)
        }
    }
}

/// A fatal error in `--json` mode, on stderr: `{"error": "…", "exit_code": N}`.
struct JSONFailure: Encodable {
    var error: String
    var exit_code: Int32
}
