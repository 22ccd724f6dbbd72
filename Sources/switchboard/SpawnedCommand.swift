import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A command started with posix_spawn: its pipes, and its process group (the command leads one of its own,
/// so stopping it stops everything it started). Foundation's Process crashed under load in `serve` (in
/// Process.run, and in readDataToEndOfFile on EINTR), so `serve` spawns and reaps its commands itself.
struct SpawnedCommand {
    let pid: pid_t
    /// Parent's ends: write the request to `input`, read the answer and the reason from the others.
    let input: Int32
    let output: Int32
    let errors: Int32

    enum SpawnError: Error, CustomStringConvertible {
        case failed(String, Int32)
        var description: String {
            switch self {
            case let .failed(what, code): "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    /// How the command ended.
    enum Termination: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Pipes are made and marked close-on-exec under this lock, and spawns happen under it too, so no command
    /// started from another thread inherits another command's pipe (and keeps it open).
    private static let lock = NSLock()

    static func spawn(_ arguments: [String], environment: [String: String]) throws -> SpawnedCommand {
        try lock.withLock { try spawnLocked(arguments, environment: environment) }
    }

    private static func spawnLocked(_ arguments: [String], environment: [String: String]) throws -> SpawnedCommand {
        func makePipe() throws -> [Int32] {
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { throw SpawnError.failed("pipe", errno) }
            // Close-on-exec, so no other command started meanwhile inherits them (the dup2 below clears it
            // on the child's copies 0, 1 and 2).
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            return fds
        }
        let input = try makePipe(), output = try makePipe(), errors = try makePipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A process group of its own; and SIGPIPE back to its default (serve itself ignores it).
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        // The child has its ends now (or failed): the parent keeps only its own.
        close(input[0])
        close(output[1])
        close(errors[1])
        guard result == 0 else {
            close(input[1])
            close(output[0])
            close(errors[0])
            throw SpawnError.failed("cannot start \(arguments[0])", result)
        }
        return SpawnedCommand(pid: pid, input: input[1], output: output[0], errors: errors[0])
    }

    /// Waits for the command to end (on the calling thread).
    func wait() -> Termination {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signalled(signal)
    }

    /// SIGTERM to the command's whole process group.
    func terminate() {
        Glibc.kill(-pid, SIGTERM)
    }

    /// SIGKILL to the command's process group, for one that outlived its SIGTERM.
    func kill() {
        Glibc.kill(-pid, SIGKILL)
    }

    /// Reads a descriptor to its end, retrying EINTR, and closes it.
    static func readAll(_ fd: Int32) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                data.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(fd)
        return data
    }

    /// Writes everything (EINTR retried), then closes; stops quietly if the command closed its input (EPIPE).
    static func writeAll(_ bytes: [UInt8], to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written > 0 {
                offset += written
            } else if !(written < 0 && errno == EINTR) {
                break
            }
        }
        close(fd)
    }
}
