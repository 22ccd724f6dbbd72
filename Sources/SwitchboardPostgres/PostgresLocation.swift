import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL ledger is: `ledger.url` of the configuration,
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full]` (libpq's
/// form and meanings: `prefer` and `require` encrypt without checking the server's certificate, `verify-full`
/// checks it against the system's trusted roots and the host name; the password may instead come from
/// `$PGPASSWORD`). Printed without the password.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses a URL; throws a message that says what is wrong with it (never quoting the password).
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme, ["postgres", "postgresql"].contains(scheme)
        else {
            throw PostgresLocationError("must be postgres://USER@HOST[:PORT]/DATABASE")
        }
        guard let host = url.host, !host.isEmpty else { throw PostgresLocationError("has no host") }
        guard let user = url.user, !user.isEmpty else { throw PostgresLocationError("has no user (postgres://USER@HOST/DATABASE)") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw PostgresLocationError("has no database (postgres://USER@HOST/DATABASE)")
        }
        var tls = TLSMode.prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                    throw PostgresLocationError("sslmode must be disable, prefer, require or verify-full")
                }
                tls = mode
            default:
                throw PostgresLocationError("has an unknown parameter '\(item.name)' (only sslmode is read)")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        self.password = url.password.map { $0.removingPercentEncoding ?? $0 } ?? environment["PGPASSWORD"]
        self.database = database.removingPercentEncoding ?? database
        self.tls = tls
    }

    public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// A connection's configuration; `sessionSettings` are set on the session at its start.
    func connectionConfiguration(sessionSettings: [(String, String)]) throws -> PostgresConnection.Configuration {
        let tlsConfiguration: PostgresConnection.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: Self.unverified))
        case .require: .require(try NIOSSLContext(configuration: Self.unverified))
        case .verifyFull: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsConfiguration)
        configuration.options.additionalStartupParameters = sessionSettings
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// The client's configuration; `sessionSettings` are set on every connection at its start.
    public func clientConfiguration(sessionSettings: [(String, String)]) throws -> PostgresClient.Configuration {
        let tlsConfiguration: PostgresClient.Configuration.TLS = switch tls {
        case .disable: .disable
        case .prefer: .prefer(Self.unverified)
        case .require: .require(Self.unverified)
        case .verifyFull: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: tlsConfiguration)
        configuration.options.additionalStartupParameters = sessionSettings
        configuration.options.maximumConnections = 4
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// Encryption without checking the certificate, as libpq's `prefer` and `require`.
    private static var unverified: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        (lhs.host, lhs.port, lhs.user, lhs.password, lhs.database, lhs.tls)
            == (rhs.host, rhs.port, rhs.user, rhs.password, rhs.database, rhs.tls)
    }
}

public struct PostgresLocationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
