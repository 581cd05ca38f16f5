/// A place in S3 as lake names it (`lake.json`'s storage, `lake init --storage`, `lake migrate
/// --to-storage`): `s3://BUCKET/PREFIX`, the prefix possibly empty.
public struct S3Location: Sendable, Equatable {
    public let bucket: String
    public let prefix: String

    /// nil for anything but `s3://` followed by a bucket name.
    public init?(_ url: String) {
        guard url.hasPrefix("s3://") else { return nil }
        let parts = url.dropFirst(5).split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bucket = parts.first, !bucket.isEmpty else { return nil }
        self.bucket = String(bucket)
        prefix = parts.count > 1 ? String(parts[1]) : ""
    }
}
