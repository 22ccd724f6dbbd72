import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The terminal while `switchboard top` owns it: the alternate screen with the cursor hidden, keys not echoed
/// (`q` quits), and everything restored on quit, SIGINT, SIGTERM or error.
final class LiveTerminal: @unchecked Sendable {
    // @unchecked Sendable: `saved` and `active` are only touched under `lock`.
    private let lock = NSLock()
    private var saved: termios?
    private var active = false
    private var signalSources: [DispatchSourceSignal] = []

    /// Whether standard output is a terminal (otherwise `top` prints one plain frame).
    static var isInteractive: Bool { isatty(STDOUT_FILENO) == 1 }

    /// Takes the terminal over; `onQuit` runs (once) on `q`, SIGINT or SIGTERM, after the terminal is restored.
    func start(onQuit: @escaping @Sendable () -> Void) {
        lock.withLock {
            active = true
            if isatty(STDIN_FILENO) == 1 {
                var attributes = termios()
                if tcgetattr(STDIN_FILENO, &attributes) == 0 {
                    saved = attributes
                    // No echo, no line buffering (so `q` arrives alone); ISIG stays, so Ctrl-C is still SIGINT.
                    attributes.c_lflag &= ~tcflag_t(ECHO | ICANON)
                    _ = tcsetattr(STDIN_FILENO, TCSANOW, &attributes)
                }
            }
        }
        write("\u{1B}[?1049h\u{1B}[?25l\u{1B}[H\u{1B}[2J")
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                restore()
                onQuit()
            }
            source.resume()
            signalSources.append(source)
        }
        if saved != nil {
            Thread { [self] in
                var byte: UInt8 = 0
                while read(STDIN_FILENO, &byte, 1) == 1 {
                    if byte == UInt8(ascii: "q") || byte == UInt8(ascii: "Q") {
                        restore()
                        onQuit()
                        return
                    }
                }
            }.start()
        }
    }

    /// Leaves the alternate screen, shows the cursor and gives the terminal its settings back. Idempotent.
    func restore() {
        let wasActive = lock.withLock {
            defer { active = false }
            if var attributes = saved { _ = tcsetattr(STDIN_FILENO, TCSANOW, &attributes) }
            saved = nil
            return active
        }
        if wasActive { write("\u{1B}[?25h\u{1B}[?1049l") }
    }

    /// Draws lines from the top-left corner, each cut to the terminal's width and the whole to its height, clearing
    /// what the previous frame left: one write, so the screen never flickers.
    func draw(_ lines: [String]) {
        let (width, height) = Self.size()
        var text = "\u{1B}[H"
        for line in lines.prefix(height) {
            text += String(line.prefix(width)) + "\u{1B}[K\n"
        }
        // No newline after the last row the screen can hold: it would scroll the first line away.
        if lines.count >= height, text.hasSuffix("\n") { text.removeLast() }
        text += "\u{1B}[J"
        lock.withLock { if active { write(text) } }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Columns and rows (80 × 24 when the terminal does not say).
    static func size() -> (width: Int, height: Int) {
        var size = winsize()
        #if canImport(Glibc)
        let request = UInt(TIOCGWINSZ)
        #else
        let request = TIOCGWINSZ
        #endif
        guard ioctl(STDOUT_FILENO, request, &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
