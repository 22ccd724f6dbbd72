import Logging
import Synchronization

/// Keeps the messages logged through it, so a test can wait for something a library reports only in its
/// log (a worker noticing a silent broker, say).
final class LogRecorder: Sendable {
    private let messages = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "switchboard.client-tests") { _ in RecordingLogHandler(recorder: self) }
    }

    func record(_ message: String) {
        messages.withLock { $0.append(message) }
    }

    func count(of message: String) -> Int {
        messages.withLock { $0.filter { $0 == message }.count }
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.record(event.message.description)
    }
}
