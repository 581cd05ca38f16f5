import LakeCatalog
import LakeCore
import LakeParquet

extension Catalog {
    /// A lake-relative file's bytes: read from this disk, or fetched whole from S3 storage.
    func contents(of relative: String) throws -> [UInt8] {
        try objects.map { try $0.read(objectPath(relative)) } ?? FileSystem.readFile(root.absolute(relative))
    }

    /// A lake-relative Parquet file, its footer read wherever the file is.
    func parquet(_ relative: String) throws -> ParquetFile {
        try objects.map { try ParquetFile(object: objectPath(relative), in: $0) } ?? ParquetFile(path: root.absolute(relative))
    }
}
