import Logging
import Synchronization

/// The daemon's log level, shared by every logger so that a SIGHUP can change it while the daemon runs.
final class LogLevelSwitch: Sendable {
    private let level: Atomic<UInt8>

    init(_ level: Logger.Level) { self.level = Atomic(Self.code(level)) }

    var current: Logger.Level {
        get { Logger.Level.allCases[Int(level.load(ordering: .relaxed))] }
        set { level.store(Self.code(newValue), ordering: .relaxed) }
    }

    private static func code(_ level: Logger.Level) -> UInt8 { UInt8(Logger.Level.allCases.firstIndex(of: level)!) }
}

/// A standard-error log handler whose level is the switch's, read at each message.
struct ReloadableLogHandler: LogHandler {
    var stream: StreamLogHandler
    let levelSwitch: LogLevelSwitch

    init(label: String, levelSwitch: LogLevelSwitch) {
        stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = .trace  // the switch filters
        self.levelSwitch = levelSwitch
    }

    var logLevel: Logger.Level {
        get { levelSwitch.current }
        // A logger's own level change (`logger.logLevel = ...`) would change the daemon's; the file decides.
        set {}
    }

    var metadata: Logger.Metadata {
        get { stream.metadata }
        set { stream.metadata = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { stream.metadataProvider }
        set { stream.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { stream[metadataKey: key] }
        set { stream[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        stream.log(event: event)
    }
}
