import LakeCore

/// What one run of an ingestion landed, per dataset and region, and how it went.
public struct IngestReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var dataset: String
        public var region: String
        public var counts: LandedCounts
        /// The partition folder pattern the files went to, relative to the root.
        public var folder: String

        public init(source: String, dataset: String, region: String, counts: LandedCounts) {
            self.dataset = dataset
            self.region = region
            self.counts = counts
            let value = region == Hive.defaultPartition ? nil : region
            folder = "raw/\(source)/\(dataset)/dt=*/\(Hive.segment("region", value))/"
        }
    }

    public var source: String
    public var ingestion: Int64
    public var resumed: Bool
    public var complete: Bool
    public var rows: [Row]
    public var pagesFetched: Int
    public var retries: Int
    public var rateLimited: Int
    public var tokenRenewals: Int
    public var seconds: Double
    public var reconciled: String?
    public var failures: [String]
    /// Units the declaration says to skip on an answer (a playlist that is not the user's).
    public var skipped: [String] = []
    public var unitsTotal: Int

    public var totals: LandedCounts {
        rows.reduce(into: LandedCounts()) { $0 += $1.counts }
    }

    public var json: JSONValue {
        let t = totals
        return .object([
            ("source", .string(source)),
            ("ingestion", .int(Int(ingestion))),
            ("resumed", .bool(resumed)),
            ("complete", .bool(complete)),
            ("seconds", .double((seconds * 1000).rounded() / 1000)),
            ("pages_fetched", .int(pagesFetched)),
            ("retries", .int(retries)),
            ("rate_limited", .int(rateLimited)),
            ("token_renewals", .int(tokenRenewals)),
            ("totals", .object([("files", .int(t.files)), ("pages", .int(t.rows)),
                                ("records", .int(t.records)), ("bytes", .int(t.bytes))])),
            ("landed", .array(rows.map { row in
                .object([("dataset", .string(row.dataset)), ("region", .string(row.region)),
                         ("files", .int(row.counts.files)), ("pages", .int(row.counts.rows)),
                         ("records", .int(row.counts.records)), ("bytes", .int(row.counts.bytes)),
                         ("folder", .string(row.folder))])
            })),
            ("failures", .array(failures.map(JSONValue.string))),
            ("skipped", .array(skipped.map(JSONValue.string))),
        ])
    }
}
