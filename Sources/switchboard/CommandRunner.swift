import Foundation
import SwitchboardClient
import ZeroMQ

/// Runs a department's command for one request: body on stdin, answer from stdout, rejection from stderr.
enum CommandRunner {
    /// Longest rejection reason passed on from stderr.
    static let maxReasonBytes = 4096

    /// Foundation starts the command as the leader of a process group of its own: signalling the group stops
    /// everything it started (a shell's children too), not just the shell.
    static func terminateGroup(of process: Process) {
        let pid = process.processIdentifier
        guard pid > 0 else { return }
        if getpgid(pid) == pid {
            kill(-pid, SIGTERM)
        } else {
            process.terminate()
        }
    }

    static func run(_ command: [String], for item: WorkItem) async -> WorkOutcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_TICKET"] = item.ticket
        environment["SWITCHBOARD_DEPARTMENT"] = item.department
        environment["SWITCHBOARD_PRIORITY"] = item.priority.rawValue
        environment["SWITCHBOARD_ATTEMPT"] = String(item.attempt)
        process.environment = environment
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors

        let finished = OneShot<Void>()
        process.terminationHandler = { _ in finished.fulfil(()) }
        do {
            try process.run()
        } catch {
            return .reject(reason: "could not start \(command[0]): \(error.localizedDescription)")
        }
        // Read both pipes while writing stdin, so a chatty command never blocks on a full pipe.
        async let stdout = readAll(output.fileHandleForReading)
        async let stderr = readAll(errors.fileHandleForReading)
        let body = item.body
        let writer = Thread {
            // A command that does not read its input may exit first: EPIPE is expected, not an error.
            try? input.fileHandleForWriting.write(contentsOf: Data(body))
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        await withTaskCancellationHandler {
            await finished.value
        } onCancel: {
            // The agent cancelled or the broker took the request back.
            CommandRunner.terminateGroup(of: process)
        }
        let answer = await stdout
        let reason = await stderr
        if process.terminationReason == .exit && process.terminationStatus == 0 {
            return .answer(Array(answer))
        }
        var text = String(decoding: reason.prefix(maxReasonBytes), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            text = process.terminationReason == .exit
                ? "\(command[0]) exited with status \(process.terminationStatus)"
                : "\(command[0]) was killed by signal \(process.terminationStatus)"
        }
        return .reject(reason: text)
    }

    private static func readAll(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: handle.readDataToEndOfFile()) }.start()
        }
    }
}
