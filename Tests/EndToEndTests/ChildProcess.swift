import Foundation
import ZeroMQ

/// A process started by a test, with its output captured to files, and stopped when the test ends.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` is configured before start and only queried afterwards.
    let process = Process()
    let name: String
    let stdoutURL: URL
    let stderrURL: URL
    private let exited = OneShot<Int32>()

    init(name: String, executable: String, arguments: [String], directory: URL, environment: [String: String] = [:],
         stdin: Data? = nil) throws {
        self.name = name
        stdoutURL = directory.appendingPathComponent("\(name).stdout")
        stderrURL = directory.appendingPathComponent("\(name).stderr")
        FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        let input = Pipe()
        process.standardInput = input
        let exited = self.exited
        process.terminationHandler = { exited.fulfil($0.terminationStatus) }
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try? input.fileHandleForWriting.close()
    }

    var pid: Int32 { process.processIdentifier }
    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits for the process to exit; throws if it is still running after `timeout`.
    func exitCode(within timeout: Duration = .seconds(30)) async throws -> Int32 {
        let exited = self.exited
        // A race of the exit and a timer, whichever comes first. (A task group would wait for the loser, and
        // waiting for an exit cannot be cancelled: a process that never exits would hang the test.)
        let code: Int32? = await withCheckedContinuation { continuation in
            let resumed = Locked(false)
            let finish: @Sendable (Int32?) -> Void = { value in
                let first = resumed.withLock { done -> Bool in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: value) }
            }
            Task { finish(await exited.value) }
            Task {
                try? await Task.sleep(for: timeout)
                finish(nil)
            }
        }
        guard let code else {
            throw TestFailure("\(name) still running after \(timeout); stderr:\n\(stderr.suffix(2000))")
        }
        return code
    }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    /// SIGTERM, then SIGKILL if it has not exited within 5 s.
    func stop() async {
        signal(SIGTERM)
        if (try? await exitCode(within: .seconds(5))) == nil {
            signal(SIGKILL)
            _ = try? await exitCode(within: .seconds(5))
        }
    }
}
