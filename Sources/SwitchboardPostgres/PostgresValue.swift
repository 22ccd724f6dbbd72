import NIOCore
import PostgresNIO

/// A statement parameter of the ledger's few column types, so one list can hold them all.
enum PostgresValue {
    case text(String?)
    case bigint(Int64?)
    case bytes([UInt8]?)
    case boolean(Bool?)

    static func int(_ value: Int?) -> PostgresValue { .bigint(value.map(Int64.init)) }

    /// The SQL type a placeholder of this value is cast to: a NULL carries no type of its own, and a column of
    /// NULLs in a `VALUES` list would otherwise be text.
    var sqlType: String {
        switch self {
        case .text: "text"
        case .bigint: "bigint"
        case .bytes: "bytea"
        case .boolean: "boolean"
        }
    }

    func append(to bindings: inout PostgresBindings) {
        switch self {
        case .text(let value): bindings.append(value)
        case .bigint(let value): bindings.append(value)
        case .bytes(let value): bindings.append(value.map { ByteBuffer(bytes: $0) })
        case .boolean(let value): bindings.append(value)
        }
    }
}

/// SQL text with its parameters, built piece by piece: `?` in a fragment is the next value, written as a
/// typed placeholder (`$3::bigint`).
struct PostgresStatement {
    private(set) var sql = ""
    private var bindings = PostgresBindings()
    private var count = 0

    init() {}

    /// `sql` with each `?` bound to the next of `values`, in order.
    init(_ sql: String, _ values: [PostgresValue] = []) {
        append(sql, values)
    }

    mutating func append(_ fragment: String, _ values: [PostgresValue] = []) {
        var values = values.makeIterator()
        for character in fragment {
            if character == "?", let value = values.next() {
                count += 1
                sql += "$\(count)::\(value.sqlType)"
                value.append(to: &bindings)
            } else {
                sql.append(character)
            }
        }
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: bindings) }
}

/// Reads a result row's cells by position.
struct PostgresCells {
    private let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = PostgresRandomAccessRow(row) }

    func callAsFunction<T: PostgresDecodable>(_ index: Int, as type: T.Type = T.self) throws -> T {
        try row[index].decode(T.self, context: .default)
    }

    func bytes(_ index: Int) throws -> [UInt8]? {
        try row[index].decode(ByteBuffer?.self, context: .default).map { Array($0.readableBytesView) }
    }
}
