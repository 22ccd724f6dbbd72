import Foundation
import SwitchboardClient
import ZeroMQ

/// Runs a department's command for one request: body on stdin, answer from stdout, rejection from stderr.
enum CommandRunner {
    /// Longest rejection reason passed on from stderr.
    static let maxReasonBytes = 4096

    static func run(_ command: [String], for item: WorkItem) async -> WorkOutcome {
        var environment = ProcessInfo.processInfo.environment
        environment["SWITCHBOARD_TICKET"] = item.ticket
        environment["SWITCHBOARD_DEPARTMENT"] = item.department
        environment["SWITCHBOARD_PRIORITY"] = item.priority.rawValue
        environment["SWITCHBOARD_ATTEMPT"] = String(item.attempt)
        let spawned: SpawnedCommand
        do {
            spawned = try SpawnedCommand.spawn(command, environment: environment)
        } catch {
            return .reject(reason: "could not start \(command[0]): \(error)")
        }
        // Write the request, read both outputs and reap the command on threads of their own, so a chatty
        // command never blocks on a full pipe and nothing blocks the cooperative pool.
        let body = item.body
        Thread { SpawnedCommand.writeAll(body, to: spawned.input) }.start()
        async let answer = onThread { SpawnedCommand.readAll(spawned.output) }
        async let reason = onThread { SpawnedCommand.readAll(spawned.errors) }
        let termination = await withTaskCancellationHandler {
            await onThread { spawned.wait() }
        } onCancel: {
            // The agent cancelled or the broker took the request back.
            spawned.terminate()
        }
        let stdout = await answer
        let stderr = await reason
        if termination == .exited(0) {
            return .answer(Array(stdout))
        }
        var text = String(decoding: stderr.prefix(maxReasonBytes), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty {
            switch termination {
            case .exited(let code): text = "\(command[0]) exited with status \(code)"
            case .signalled(let signal): text = "\(command[0]) was killed by signal \(signal)"
            }
        }
        return .reject(reason: text)
    }

    /// Runs blocking work on a new thread and awaits its result.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
