import Engine
#if canImport(Glibc)
import Glibc
#endif

// The fuzzing executable (see scripts/fuzz). Built with `-sanitize=fuzzer -D QDB_FUZZ`, it is a
// libFuzzer binary: `QDB_FUZZ_TARGET=<name> qdb-fuzz [libFuzzer flags] CORPUS…`. Built normally,
// it replays inputs instead: `qdb-fuzz <name> FILE…` (what CI does with the seed corpora when no
// fuzzing runtime is wanted), and `qdb-fuzz --list` prints the targets.

#if QDB_FUZZ
private let targetName: String = {
    guard let raw = getenv("QDB_FUZZ_TARGET") else {
        let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
        writeError("qdb-fuzz: set QDB_FUZZ_TARGET to one of: \(names)\n")
        exit(64)
    }
    let name = String(cString: raw)
    guard FuzzTargets.all[name] != nil else {
        writeError("qdb-fuzz: no target \(name)\n")
        exit(64)
    }
    return name
}()

/// libFuzzer's driver, called from our own entry point: SwiftPM links every executable's `main`
/// to the module's Swift entry point, so libFuzzer's `main` is never linked in.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
struct QDBFuzz {
    static func main() {
        _ = targetName
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            FuzzTargets.run(targetName, UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
            return 0
        })
    }
}
#else
@main
struct QDBFuzzReplay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        if args.first == "--list" || args.isEmpty {
            print(FuzzTargets.all.keys.sorted().joined(separator: "\n"))
            return
        }
        let name = args[0]
        guard FuzzTargets.all[name] != nil else {
            writeError("qdb-fuzz: no target \(name)\n")
            exit(64)
        }
        for path in args.dropFirst() {
            guard let f = fopen(path, "rb") else {
                writeError("qdb-fuzz: cannot read \(path)\n")
                exit(66)
            }
            var bytes: [UInt8] = []
            var buf = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = fread(&buf, 1, buf.count, f)
                if n <= 0 { break }
                bytes.append(contentsOf: buf[0..<n])
            }
            fclose(f)
            bytes.withUnsafeBytes { _ = FuzzTargets.run(name, $0) }
        }
        print("\(name): \(args.count - 1) inputs ran")
    }
}
#endif

func writeError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = write(STDERR_FILENO, &bytes, bytes.count)
}
