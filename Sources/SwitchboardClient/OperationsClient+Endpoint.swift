import SwitchboardSchema

extension OperationsClient {
    /// An endpoint of the ops API (`schemas/API.md`), with its method and its path and query, percent-encoded.
    public enum Endpoint: Sendable, Equatable {
        case overview
        case stats
        case departments
        case department(String)
        case workers
        case requests(RequestFilter)
        case request(ticket: String)
        case deadLetters(department: String?, limit: Int, offset: Int)
        case breaches(limit: Int)
        case requeue(ticket: String)
        case cancel(ticket: String)
        case drain(worker: String)
        /// Stops the daemon gracefully; `timeout` replaces its drain limit for this stop.
        case drainDaemon(timeout: Duration?)

        public var method: String {
            switch self {
            case .requeue, .cancel, .drain, .drainDaemon: "POST"
            default: "GET"
            }
        }

        /// `/api/v1/requests?department=claims&order=deadline`.
        public var path: String {
            let api = "/api/v1"
            switch self {
            case .overview: return api + "/overview"
            case .stats: return api + "/stats"
            case .departments: return api + "/departments"
            case .department(let name): return api + "/departments/" + Self.segment(name)
            case .workers: return api + "/workers"
            case .requests(let filter): return api + "/requests" + Self.query(filter.queryItems)
            case .request(let ticket): return api + "/requests/" + Self.segment(ticket)
            case let .deadLetters(department, limit, offset):
                var items: [(name: String, value: String)] = []
                if let department { items.append(("department", department)) }
                items.append(("limit", String(limit)))
                if offset != 0 { items.append(("offset", String(offset))) }
                return api + "/dead-letters" + Self.query(items)
            case .breaches(let limit): return api + "/breaches" + Self.query([("limit", String(limit))])
            case .requeue(let ticket): return api + "/requests/" + Self.segment(ticket) + "/requeue"
            case .cancel(let ticket): return api + "/requests/" + Self.segment(ticket) + "/cancel"
            case .drain(let worker): return api + "/workers/" + Self.segment(worker) + "/drain"
            case .drainDaemon(let timeout):
                return api + "/daemon/drain" + Self.query(timeout.map { [("timeout", DurationParser.format($0))] } ?? [])
            }
        }

        /// `?a=1&b=2`, or nothing when there are no items.
        static func query(_ items: [(name: String, value: String)]) -> String {
            guard !items.isEmpty else { return "" }
            // Commas stay as they are: they separate the values of `state=queued,offered`.
            let comma: Set<UInt8> = [UInt8(ascii: ",")]
            return "?" + items.map { percentEncoded($0.name) + "=" + percentEncoded($0.value, keeping: comma) }
                .joined(separator: "&")
        }

        /// A path segment: everything but the unreserved characters is percent-encoded (so `/`, `?`, `#`, `%` and
        /// spaces in a worker's name stay inside the segment).
        static func segment(_ text: String) -> String { percentEncoded(text) }

        /// RFC 3986: unreserved characters (and `kept` ASCII) as they are, every other byte of the UTF-8 as `%XX`.
        static func percentEncoded(_ text: String, keeping kept: Set<UInt8> = []) -> String {
            var encoded = ""
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                    UInt8(ascii: "~"):
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                case _ where kept.contains(byte):
                    encoded.unicodeScalars.append(Unicode.Scalar(byte))
                default:
                    let hex = Array("0123456789ABCDEF".utf8)
                    encoded += "%" + String(decoding: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]], as: UTF8.self)
                }
            }
            return encoded
        }

        public static func == (lhs: Endpoint, rhs: Endpoint) -> Bool {
            lhs.method == rhs.method && lhs.path == rhs.path
        }
    }
}
