import Foundation
import Testing

@testable import SwitchboardBroker

/// `ledger:` in the configuration file: SQLite by default, or a PostgreSQL database shared by a pair.
@Suite("Ledger configuration")
struct LedgerConfigurationTests {
    @Test("SQLite unless told otherwise; PostgreSQL with its URL and lease timings")
    func readsEverything() throws {
        #expect(try BrokerConfiguration.parse(yaml: "").ledger == LedgerSettings())
        #expect(LedgerSettings().backend == .sqlite && LedgerSettings().lease == .seconds(3))
        let configuration = try BrokerConfiguration.parse(yaml: """
            ledger:
              backend: postgres
              url: postgres://switchboard:secret@db.example.com:5433/ledger?sslmode=verify-full
              lease: 5s
              renew_interval: 1s
              name: switchboard-a
            """)
        #expect(configuration.ledger.backend == .postgres)
        #expect(configuration.ledger.url == "postgres://switchboard:secret@db.example.com:5433/ledger?sslmode=verify-full")
        #expect(configuration.ledger.lease == .seconds(5) && configuration.ledger.renewInterval == .seconds(1))
        #expect(configuration.ledger.name == "switchboard-a")
    }

    @Test("mistakes are refused where they are, never quoting a password", arguments: [
        ("ledger:\n  backend: oracle", "backend must be 'sqlite'"),
        ("ledger:\n  backend: postgres", "needs url"),
        ("ledger:\n  backend: postgres\n  url: mysql://x@h/db", "postgres://"),
        ("ledger:\n  backend: postgres\n  url: postgres://h/db", "no user"),
        ("ledger:\n  backend: postgres\n  url: postgres://u:hunter2@h", "no database"),
        ("ledger:\n  backend: postgres\n  url: postgres://u@h/db?sslmode=maybe", "sslmode"),
        ("ledger:\n  url: postgres://u@h/db", "only with backend: postgres"),
        ("ledger:\n  backend: postgres\n  url: postgres://u@h/db\n  lease: 2s\n  renew_interval: 1500ms", "at most half"),
        ("ledger:\n  backend: postgres\n  url: postgres://u@h/db\n  lease: 100ms", "lease"),
        ("ledger:\n  backend: postgres\n  url: postgres://u@h/db\n  colour: red", "colour"),
    ])
    func mistakes(section: String, mention: String) throws {
        let error = try #require(throws: ConfigurationError.self) { try BrokerConfiguration.parse(yaml: section) }
        #expect(error.description.contains(mention), "\(error)")
        #expect(!error.description.contains("hunter2"))
    }

    @Test("the ledger waits for a restart on reload")
    func reloadKeepsTheLedger() {
        let broker = Broker(configuration: BrokerConfiguration(), logger: .init(label: "test"))
        var new = BrokerConfiguration()
        new.ledger.backend = .postgres
        new.ledger.url = "postgres://u@h/db"
        let (applied, waiting) = broker.reloadable(new)
        #expect(applied.ledger == LedgerSettings())
        #expect(waiting.contains("ledger"))
    }
}
