import Foundation

/// CPU time a process has used (all its threads, user and system), from `/proc/PID/stat`.
struct ProcessCPU: Sendable {
    let pid: Int32

    /// Clock ticks per second of the `/proc` figures.
    static let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// Seconds of CPU used so far; nil if the process is gone.
    var seconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / ProcessCPU.ticksPerSecond
    }
}
