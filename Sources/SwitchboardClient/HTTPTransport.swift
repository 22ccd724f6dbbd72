import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal HTTP/1.1 client over a POSIX TCP socket: one request per connection (`Connection: close`),
/// `Content-Length` or chunked responses, one deadline for the whole exchange.
///
/// Not URLSession: on Linux, FoundationNetworking sends every request through `$http_proxy` (even to 127.0.0.1,
/// and its configuration cannot turn that off), which breaks an ops tool on any host with a proxy set; and it
/// would tie the CLI to libcurl. The daemon's surface is plain HTTP/1.1, which needs little more than this.
/// Each exchange blocks a thread of its own (never the cooperative pool) in `poll`, waking at least every 100 ms
/// to honour task cancellation.
struct HTTPTransport: Sendable {
    let endpoint: HTTPEndpoint

    /// How an exchange failed, before any HTTP status was read.
    enum Failure: Error, Equatable {
        /// No connection could be made: the reason, in words.
        case unreachable(String)
        /// Connected, but no complete response before the deadline.
        case timedOut
        /// The bytes received are not a usable HTTP response, or the connection broke while exchanging them.
        case invalid(String)
        case cancelled
    }

    /// The largest response read (a full page of 1000 requests is well under 2 MiB).
    static let maxResponseBytes = 64 * 1024 * 1024

    /// Sends `method target` (target: the path and query, already percent-encoded) and reads the response.
    func send(
        method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration
    ) async throws(Failure) -> HTTPResponse {
        var head = "\(method) \(endpoint.basePath)\(target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n"
        head += "User-Agent: switchboard\r\nAccept: application/json\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" || method == "PUT" { head += "Content-Length: \(body.count)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        let host = endpoint.host, port = endpoint.port
        let deadline = ContinuousClock.now + timeout
        let flag = CancellationFlag()
        let result: Result<HTTPResponse, Failure> = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread {
                    continuation.resume(returning: HTTPExchange.run(
                        host: host, port: port, request: request, deadline: deadline, flag: flag))
                }.start()
            }
        } onCancel: {
            flag.cancel()
        }
        return try result.get()
    }
}

/// Set when the task waiting for an exchange is cancelled; the exchange's thread polls it.
final class CancellationFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func cancel() { value.store(true, ordering: .relaxed) }
    var isCancelled: Bool { value.load(ordering: .relaxed) }
}

/// One request and its response on a blocking thread: resolve, connect, write, read until the response is whole.
enum HTTPExchange {
    typealias Failure = HTTPTransport.Failure

    static func run(
        host: String, port: Int, request: [UInt8], deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Result<HTTPResponse, Failure> {
        let fd: Int32
        switch openConnection(host: host, port: port, deadline: deadline, flag: flag) {
        case .success(let connected): fd = connected
        case .failure(let failure): return .failure(failure)
        }
        defer { close(fd) }
        if case .failure(let failure) = sendAll(fd, request, deadline: deadline, flag: flag) {
            return .failure(failure)
        }
        return receiveResponse(fd, deadline: deadline, flag: flag)
    }

    /// Tries each address the host resolves to, in order, until one connects.
    private static func openConnection(
        host: String, port: Int, deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Result<Int32, Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = socketStream
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            return .failure(.unreachable("cannot resolve host '\(host)' (\(String(cString: gai_strerror(resolved))))"))
        }
        defer { freeaddrinfo(list) }
        var failure = Failure.unreachable("no address for host '\(host)'")
        var node: UnsafeMutablePointer<addrinfo>? = first
        while let info = node?.pointee {
            node = info.ai_next
            switch openConnection(info, deadline: deadline, flag: flag) {
            case .success(let fd): return .success(fd)
            case .failure(.cancelled): return .failure(.cancelled)
            case .failure(let other): failure = other
            }
        }
        return .failure(failure)
    }

    private static func openConnection(
        _ info: addrinfo, deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Result<Int32, Failure> {
        let fd = socket(info.ai_family, info.ai_socktype, info.ai_protocol)
        guard fd >= 0 else { return .failure(.unreachable("cannot open a socket (\(errorText(errno))))")) }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #if canImport(Darwin)
        var on: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif
        var result = connect(fd, info.ai_addr, info.ai_addrlen)
        if result != 0 && (errno == EINPROGRESS || errno == EINTR) {
            switch wait(fd, for: Int16(POLLOUT), deadline: deadline, flag: flag) {
            case .ready:
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                result = error == 0 ? 0 : -1
                errno = error
            case .timedOut:
                close(fd)
                return .failure(.unreachable("no connection before the time allowed ran out"))
            case .cancelled:
                close(fd)
                return .failure(.cancelled)
            }
        }
        guard result == 0 else {
            let text = errorText(errno)
            close(fd)
            return .failure(.unreachable(text))
        }
        return .success(fd)
    }

    private static func sendAll(
        _ fd: Int32, _ bytes: [UInt8], deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Result<Void, Failure> {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + offset, buffer.count - offset, sendFlags)
            }
            if sent >= 0 {
                offset += sent
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                switch wait(fd, for: Int16(POLLOUT), deadline: deadline, flag: flag) {
                case .ready: continue
                case .timedOut: return .failure(.timedOut)
                case .cancelled: return .failure(.cancelled)
                }
            default:
                return .failure(.invalid("the connection broke while sending the request (\(errorText(errno))))"))
            }
        }
        return .success(())
    }

    private static func receiveResponse(
        _ fd: Int32, deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Result<HTTPResponse, Failure> {
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                // A server that trickles bytes must not outlive the deadline either.
                if ContinuousClock.now >= deadline { return .failure(.timedOut) }
                received += chunk[0..<count]
                guard received.count <= HTTPTransport.maxResponseBytes else {
                    return .failure(.invalid("the response is larger than 64 MiB"))
                }
                do {
                    if let response = try HTTPResponse.parse(received[...], atEOF: false) { return .success(response) }
                } catch {
                    return .failure(.invalid(error.description))
                }
                continue
            }
            if count == 0 {
                do {
                    // atEOF: true never returns nil.
                    return .success(try HTTPResponse.parse(received[...], atEOF: true)!)
                } catch {
                    return .failure(.invalid(error.description))
                }
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                switch wait(fd, for: Int16(POLLIN), deadline: deadline, flag: flag) {
                case .ready: continue
                case .timedOut: return .failure(.timedOut)
                case .cancelled: return .failure(.cancelled)
                }
            default:
                return .failure(.invalid("the connection broke while reading the response (\(errorText(errno))))"))
            }
        }
    }

    private enum Readiness { case ready, timedOut, cancelled }

    /// Polls `fd` in slices of at most 100 ms until it is ready, the deadline passes or the flag is set.
    /// An error or hang-up condition counts as ready: the next call reports it.
    private static func wait(
        _ fd: Int32, for events: Int16, deadline: ContinuousClock.Instant, flag: CancellationFlag
    ) -> Readiness {
        while true {
            if flag.isCancelled { return .cancelled }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return .timedOut }
            let (seconds, attoseconds) = remaining.components
            let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&descriptor, 1, Int32(min(milliseconds, 100)))
            if result > 0 { return .ready }
            if result < 0 && errno != EINTR { return .ready }
        }
    }

    /// `Connection refused`, as `connection refused`.
    private static func errorText(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

#if canImport(Glibc) || canImport(Musl)
private let socketStream = Int32(SOCK_STREAM.rawValue)
private let sendFlags = Int32(MSG_NOSIGNAL)
#else
private let socketStream = SOCK_STREAM
private let sendFlags: Int32 = 0
#endif
