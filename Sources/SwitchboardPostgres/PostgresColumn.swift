import NIOCore
import PostgresNIO

/// One column of a multi-row statement, sent as one array parameter in PostgreSQL's binary array format (NULL
/// elements allowed, which PostgresNIO's own array encoding does not do) and read back with `unnest`: a
/// statement's text then stays the same whatever the number of rows, and it binds a handful of parameters
/// instead of one per value.
struct PostgresColumn: PostgresDynamicTypeEncodable {
    enum Kind {
        case text, bigint, bytea, boolean

        var elementOID: Int32 {
            switch self {
            case .text: 25
            case .bigint: 20
            case .bytea: 17
            case .boolean: 16
            }
        }

        var arrayType: PostgresDataType {
            switch self {
            case .text: .textArray
            case .bigint: .int8Array
            case .bytea: .byteaArray
            case .boolean: .boolArray
            }
        }

        var sqlType: String {
            switch self {
            case .text: "text[]"
            case .bigint: "bigint[]"
            case .bytea: "bytea[]"
            case .boolean: "boolean[]"
            }
        }
    }

    let kind: Kind
    private(set) var count = 0
    private var hasNull = false
    private var elements = ByteBuffer()

    init(_ kind: Kind) { self.kind = kind }

    /// Appends one element; a value of another kind than the column's is a programming error.
    mutating func append(_ value: PostgresValue) {
        count += 1
        switch value {
        case .text(let text?):
            elements.writeInteger(Int32(text.utf8.count))
            elements.writeString(text)
        case .bigint(let number?):
            elements.writeInteger(Int32(8))
            elements.writeInteger(number)
        case .bytes(let bytes?):
            elements.writeInteger(Int32(bytes.count))
            elements.writeBytes(bytes)
        case .boolean(let flag?):
            elements.writeInteger(Int32(1))
            elements.writeInteger(UInt8(flag ? 1 : 0))
        case .text(nil), .bigint(nil), .bytes(nil), .boolean(nil):
            hasNull = true
            elements.writeInteger(Int32(-1))
        }
    }

    var psqlType: PostgresDataType { kind.arrayType }
    var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        // ndim, has-null flag, element type, then the one dimension's length and lower bound, then the elements.
        buffer.writeInteger(Int32(1))
        buffer.writeInteger(Int32(hasNull ? 1 : 0))
        buffer.writeInteger(kind.elementOID)
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))
        var copy = elements
        buffer.writeBuffer(&copy)
    }
}

extension PostgresValue {
    var columnKind: PostgresColumn.Kind {
        switch self {
        case .text: .text
        case .bigint: .bigint
        case .bytes: .bytea
        case .boolean: .boolean
        }
    }
}

/// Rows gathered column by column, for `unnest($1::text[], $2::bigint[], ...)`.
struct PostgresColumns {
    private(set) var columns: [PostgresColumn] = []
    var isEmpty: Bool { columns.first.map { $0.count == 0 } ?? true }

    /// Appends a row; every row has the same shape (the first one's).
    mutating func append(_ row: [PostgresValue]) {
        if columns.isEmpty { columns = row.map { PostgresColumn($0.columnKind) } }
        for (index, value) in row.enumerated() { columns[index].append(value) }
    }

    /// `unnest($1::text[], ...)` for these columns, its parameters bound after `bindings`' own.
    func unnest(binding bindings: inout PostgresBindings) -> String {
        let first = bindings.count
        for column in columns { bindings.append(column) }
        return "unnest(" + columns.enumerated().map { "$\(first + $0.offset + 1)::\($0.element.kind.sqlType)" }
            .joined(separator: ", ") + ")"
    }
}
