import Foundation
import SwitchboardClient
import SwitchboardSchema
import ZeroMQ

/// Runs a department's command for one request: body on stdin, answer from stdout, rejection from stderr.
enum CommandRunner {
    /// Longest rejection reason passed on from stderr.
    static let maxReasonBytes = 4096

    /// `timeout`: how long the command may run; past it the command (its whole process group) is stopped and the
    /// request given back (RELEASE), not rejected. A command killed by a signal is a failure of the worker's,
    /// given back the same way: another attempt may succeed.
    static func run(_ command: [String], for item: WorkItem, timeout: Duration? = nil) async -> WorkOutcome {
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
        let timedOut = Locked(false)
        let timer = timeout.map { limit in
            Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                timedOut.withLock { $0 = true }
                spawned.terminate()
                // A command that ignores SIGTERM is killed a moment later.
                guard (try? await Task.sleep(for: .seconds(2))) != nil else { return }
                spawned.kill()
            }
        }
        let termination = await withTaskCancellationHandler {
            await onThread { spawned.wait() }
        } onCancel: {
            // The agent cancelled or the broker took the request back.
            spawned.terminate()
        }
        timer?.cancel()
        let stdout = await answer
        let stderr = await reason
        if timedOut.withLock({ $0 }), let timeout {
            return .release(reason: "\(command[0]) did not finish within \(DurationParser.format(timeout)); stopped")
        }
        if termination == .exited(0) {
            return .answer(Array(stdout))
        }
        if case .signalled(let signal) = termination {
            return .release(reason: "\(command[0]) was killed by signal \(signal)")
        }
        var text = String(decoding: stderr.prefix(maxReasonBytes), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty, case .exited(let code) = termination { text = "\(command[0]) exited with status \(code)" }
        return .reject(reason: text)
    }

    /// Runs blocking work on a new thread and awaits its result.
    private static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}
