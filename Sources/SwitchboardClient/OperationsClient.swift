import Foundation
import SwitchboardSchema

/// A client of `switchboardd`'s HTTP ops API (`schemas/API.md`): what is pending, where, for how long, who holds
/// it; and the operator's actions (requeue, cancel, drain).
///
/// ```swift
/// let ops = OperationsClient(address: "127.0.0.1:8570")
/// var filter = RequestFilter()
/// filter.order = .deadline
/// for request in try await ops.requests(filter).items { print(request.ticket, request.dueInSeconds ?? 0) }
/// ```
///
/// Every call is one HTTP/1.1 exchange on a connection of its own; the client holds no state and may be shared.
public struct OperationsClient: Sendable {
    /// The daemon's base URL, as requests are sent to it (`http://127.0.0.1:8570`); the address as given when
    /// it cannot be parsed.
    public let url: String
    public let timeout: Duration
    /// The daemon's HTTP surface, or both of an active/standby pair's (tried in order).
    private let endpoints: Result<[HTTPEndpoint], OperationsClientError>
    private let token: String?

    /// - Parameters:
    ///   - address: `HOST:PORT`, `HOST` (port 8570), or an `http://HOST[:PORT][/PREFIX]` URL. An address that
    ///     cannot be used makes every call throw `invalidAddress`. An active/standby pair's two, comma-separated:
    ///     each call goes to the first that answers other than 503 (the standby answers 503, as does a leader
    ///     that is stopping), so calls follow whichever daemon leads.
    ///   - token: sent as `Authorization: Bearer TOKEN` when set (surrounding whitespace, such as the newline a
    ///     token file ends with, is dropped; a token with a control character inside makes every call throw
    ///     `invalidToken`).
    ///   - timeout: for each call, from connecting to the last byte of the response.
    public init(address: String = "127.0.0.1:8570", token: String? = nil, timeout: Duration = .seconds(10)) {
        endpoints = Result { () throws(OperationsClientError) in try Self.parse(address) }
        url = (try? endpoints.get().map(\.url).joined(separator: ",")) ?? address
        self.token = token?.trimmingCharacters(in: .whitespacesAndNewlines)
        self.timeout = timeout
    }

    /// Throws `invalidAddress` when the address cannot be used (for checking a command-line option early).
    public static func check(address: String) throws(OperationsClientError) {
        _ = try parse(address)
    }

    /// One address, or a pair's comma-separated two.
    private static func parse(_ address: String) throws(OperationsClientError) -> [HTTPEndpoint] {
        let parts = BrokerEndpoints.parse(address)
        var endpoints: [HTTPEndpoint] = []
        for part in parts.isEmpty ? [address] : parts { endpoints.append(try HTTPEndpoint(parsing: part)) }
        return endpoints
    }

    // MARK: Reading

    /// What the dashboard shows, in one response.
    public func overview() async throws(OperationsClientError) -> OperationsOverview {
        try await fetch(OperationsOverview.self, .overview)
    }

    /// Totals since the daemon started, and what is pending now.
    public func stats() async throws(OperationsClientError) -> OperationsStats {
        try await fetch(OperationsStats.self, .stats)
    }

    /// Every department: queue, oldest age, SLA risk, workers, compliance.
    public func departments() async throws(OperationsClientError) -> [DepartmentSummary] {
        try await fetch(DepartmentList.self, .departments).departments
    }

    /// One department; `refused` with status 404 when it is not known.
    public func department(_ name: String) async throws(OperationsClientError) -> DepartmentSummary {
        try await fetch(DepartmentSummary.self, .department(name))
    }

    /// Connected workers: departments, credit, tickets held, last heartbeat, draining.
    public func workers() async throws(OperationsClientError) -> [WorkerSummary] {
        try await fetch(WorkerList.self, .workers).workers
    }

    /// A page of requests matching the filter.
    public func requests(_ filter: RequestFilter = RequestFilter()) async throws(OperationsClientError) -> RequestPage {
        try await fetch(RequestPage.self, .requests(filter))
    }

    /// One request with its SLA clocks and its history; `refused` with status 404 when the ticket is not known.
    public func request(ticket: String) async throws(OperationsClientError) -> RequestDetail {
        try await fetch(RequestDetail.self, .request(ticket: ticket))
    }

    /// Dead-lettered requests, newest first.
    public func deadLetters(
        department: String? = nil, limit: Int = RequestFilter.defaultLimit, offset: Int = 0
    ) async throws(OperationsClientError) -> RequestPage {
        try await fetch(RequestPage.self, .deadLetters(department: department, limit: limit, offset: offset))
    }

    /// The latest SLA breaches, newest first.
    public func breaches(limit: Int = 20) async throws(OperationsClientError) -> [BreachSummary] {
        try await fetch(BreachList.self, .breaches(limit: limit)).breaches
    }

    // MARK: Actions

    /// Puts a dead-lettered request back in its queue; `refused` with 409 when it is not dead-lettered.
    public func requeue(ticket: String) async throws(OperationsClientError) -> ActionResult {
        try await fetch(ActionResult.self, .requeue(ticket: ticket))
    }

    /// Cancels an open request (its agent and worker are told); `refused` with 409 when it is finished.
    public func cancel(ticket: String) async throws(OperationsClientError) -> ActionResult {
        try await fetch(ActionResult.self, .cancel(ticket: ticket))
    }

    /// Drains a worker (by its id, or its name if unique): it gets nothing new and finishes what it holds.
    public func drain(worker: String) async throws(OperationsClientError) -> ActionResult {
        try await fetch(ActionResult.self, .drain(worker: worker))
    }

    /// Stops the daemon gracefully, as SIGTERM does: intake closes, workers finish what they hold for up to
    /// `timeout` (default: the daemon's `shutdown.drain_timeout`), the rest goes back to the ledger.
    public func drainDaemon(timeout: Duration? = nil) async throws(OperationsClientError) -> ActionResult {
        try await fetch(ActionResult.self, .drainDaemon(timeout: timeout))
    }

    // MARK: Raw access

    /// The body of a successful (2xx) response to the endpoint, as the daemon sent it (for `--json` output);
    /// `refused` for any other status.
    public func body(_ endpoint: Endpoint) async throws(OperationsClientError) -> [UInt8] {
        let response = try await exchange(endpoint.method, endpoint.path)
        guard (200..<300).contains(response.status) else {
            throw refusal(response, for: "\(endpoint.method) \(endpoint.path)")
        }
        return response.body
    }

    /// `GET path` (e.g. `/healthz`, `/api/v1/stats`), whatever the status: only a failure to exchange throws.
    public func get(path: String) async throws(OperationsClientError) -> (status: Int, body: [UInt8]) {
        let response = try await exchange("GET", path)
        return (response.status, response.body)
    }

    /// `POST path` with an empty body, whatever the status: only a failure to exchange throws.
    public func post(path: String) async throws(OperationsClientError) -> (status: Int, body: [UInt8]) {
        let response = try await exchange("POST", path)
        return (response.status, response.body)
    }

    // MARK: Internals

    private func fetch<T: Decodable>(_ type: T.Type, _ endpoint: Endpoint) async throws(OperationsClientError) -> T {
        let bytes = try await body(endpoint)
        do {
            return try JSONCoding.decode(type, from: bytes)
        } catch {
            throw .invalidResponse(
                url: url + endpoint.path, reason: "the body is not the \(T.self) the API describes (\(error))")
        }
    }

    private func exchange(_ method: String, _ path: String) async throws(OperationsClientError) -> HTTPResponse {
        let endpoints = try self.endpoints.get()
        var last: Result<HTTPResponse, OperationsClientError>?
        for endpoint in endpoints {
            do {
                let response = try await exchange(method, path, endpoint)
                // A pair's standby (or a leader that is stopping) answers 503: the other daemon may lead.
                if response.status != 503 { return response }
                last = .success(response)
            } catch {
                guard case .unreachable = error else { throw error }
                last = .failure(error)
            }
        }
        return try last!.get()
    }

    private func exchange(_ method: String, _ path: String, _ endpoint: HTTPEndpoint) async throws(OperationsClientError)
        -> HTTPResponse
    {
        let url = endpoint.url
        var headers: [(name: String, value: String)] = []
        if let token {
            guard !token.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw .invalidToken
            }
            headers.append(("Authorization", "Bearer \(token)"))
        }
        do {
            return try await HTTPTransport(endpoint: endpoint).send(
                method: method, target: path.hasPrefix("/") ? path : "/" + path, headers: headers, timeout: timeout)
        } catch {
            switch error {
            case .unreachable(let reason): throw .unreachable(url: url, reason: reason)
            case .timedOut: throw .timeout(url: url, after: timeout)
            case .invalid(let reason): throw .invalidResponse(url: url + path, reason: reason)
            case .cancelled: throw .cancelled
            }
        }
    }

    /// The API's error body, or a description of the status when the body is not one.
    private func refusal(_ response: HTTPResponse, for request: String) -> OperationsClientError {
        if var detail = try? JSONCoding.decode(ErrorDetail.self, from: response.body) {
            detail.status = StatusCode(response.status)
            return .refused(detail)
        }
        let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            .split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        var message = "switchboardd answered \(response.status) \(response.reason) to \(request)"
        if response.status == 404 {
            message += " (does this daemon have that endpoint? it may be older than this client)"
        } else if !text.isEmpty {
            message += ": \(text)"
        }
        return .refused(
            ErrorDetail(status: StatusCode(response.status), error: "http-\(response.status)", message: message))
    }
}

/// The list bodies: `{"departments": [...]}`, `{"workers": [...]}`, `{"breaches": [...]}`.
private struct DepartmentList: Decodable { var departments: [DepartmentSummary] }
private struct WorkerList: Decodable { var workers: [WorkerSummary] }
private struct BreachList: Decodable { var breaches: [BreachSummary] }
