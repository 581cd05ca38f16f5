import ArgumentParser

struct Lake: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lake",
        abstract: "A local data lake: land REST API pages and event streams as raw gzip NDJSON, promote them to typed Parquet and curated tables, query them with SQL, and govern them — catalogued in SQLite.",
        discussion: """
            The lake root is --lake DIR (before or after the command: `lake --lake DIR query …`),
            else $LAKE_HOME, else ./lake.
            Start with `lake demo`, which runs the whole flow on built-in simulators.
            """,
        version: "0.1.0",
        subcommands: [InitCommand.self, AuthCommand.self, IngestCommand.self, ProduceCommand.self, TopicsCommand.self,
                      PromoteCommand.self, OptimizeCommand.self, VacuumCommand.self, CatalogCommand.self, QueryCommand.self, GovernanceCommand.self,
                      RetentionCommand.self, ParquetCommand.self, CDCCommand.self, MigrateCommand.self, DemoCommand.self, SimulatorCommand.self])
}
