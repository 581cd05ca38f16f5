import Foundation
import LakeCatalog

/// What a query returned: its columns and its rows, in batches.
public struct QueryResult: Sendable {
    public struct Column: Sendable {
        public var name: String
        public var type: DataType
    }

    public var columns: [Column]
    public var batches: [Batch]
    public var rowCount: Int { batches.reduce(0) { $0 + $1.count } }

    /// Every row as values (tests, small outputs).
    public var rows: [[Value]] {
        batches.flatMap { b in (0..<b.count).map { i in b.columns.map { $0.value(i) } } }
    }
}

/// Runs SQL over the lake: parse → bind → optimize → execute.
public struct QueryEngine: Sendable {
    let tables: TableResolver
    let workingDirectory: String

    public init(tables: TableResolver, workingDirectory: String = FileManager.default.currentDirectoryPath) {
        self.tables = tables
        self.workingDirectory = workingDirectory
    }

    /// A lake's engine (or one over files only, without a catalog).
    public init(catalog: Catalog?) {
        self.init(tables: LakeTables(catalog: catalog))
    }

    public func run(_ sql: String) throws -> QueryResult {
        let statement = try Parser.parse(sql)
        let plan = try self.plan(statement.query)
        if statement.explain {
            let text = Explain.render(plan)
            var b = VectorBuilder(type: .varchar)
            for line in text.split(separator: "\n") { b.append(.string(String(line))) }
            let v = b.finish()
            return QueryResult(columns: [.init(name: "plan", type: .varchar)], batches: [Batch(columns: [v], count: v.count)])
        }
        return try execute(plan)
    }

    /// The optimized plan of a query, as EXPLAIN prints it.
    public func explain(_ sql: String) throws -> String {
        let statement = try Parser.parse(sql)
        return Explain.render(try plan(statement.query))
    }

    func plan(_ query: Query) throws -> LogicalPlan {
        var binder = Binder(tables: tables, workingDirectory: workingDirectory, runSubquery: { plan in
            try self.execute(Optimizer.optimize(plan)).rows
        })
        return Optimizer.optimize(try binder.bind(query))
    }

    func execute(_ plan: LogicalPlan) throws -> QueryResult {
        let root = PhysicalPlanner.build(plan)
        var batches: [Batch] = []
        while let b = try root.next() { if b.count > 0 { batches.append(b) } }
        return QueryResult(columns: plan.fields.map { .init(name: $0.name, type: $0.type) }, batches: batches)
    }
}
