import Foundation

extension S3Client {
    /// Stores a small object (a `.checksum`) in one PUT.
    public func putObject(_ key: String, _ bytes: [UInt8], contentType: String = "application/octet-stream") throws {
        _ = try bytes.withUnsafeBytes { raw in
            try send("PUT", key: key, headers: ["Content-Type: \(contentType)"], body: raw, what: "put")
        }
    }

    /// Reads a small object whole (a `.checksum`); nil when it does not exist.
    public func getSmallObject(_ key: String) throws -> [UInt8]? {
        do {
            return try send("GET", key: key, what: "get").body
        } catch let e as S3Error where e.code == .notFound {
            return nil
        }
    }

    /// Deletes an object (S3 answers 204 whether or not it existed).
    public func deleteObject(_ key: String) throws {
        _ = try send("DELETE", key: key, what: "delete")
    }

    /// Every object under `prefix`, following continuation tokens. With `delimiter` "/" only the
    /// objects directly under the prefix are returned (no `shards/` subtree).
    public func list(prefix: String, delimiter: String? = nil) throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let delimiter { query.append(("delimiter", delimiter)) }
            if let token { query.append(("continuation-token", token)) }
            let page = try S3XML.listPage(try send("GET", key: nil, query: query, what: "list").body)
            objects += page.objects
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return objects
    }

    // MARK: multipart upload

    /// Starts a multipart upload of `key` and returns its upload id.
    public func createMultipartUpload(_ key: String) throws -> String {
        let r = try send("POST", key: key, query: [("uploads", "")], headers: ["Content-Type: application/octet-stream"], what: "start multipart upload")
        guard let id = S3XML.uploadID(r.body) else { throw S3Error(.failed, "S3 start multipart upload of \(key): the answer has no UploadId") }
        return id
    }

    /// Uploads part `number` (1-based) and returns its ETag.
    public func uploadPart(_ key: String, uploadID: String, number: Int, _ bytes: UnsafeRawBufferPointer) throws -> String {
        let r = try send(
            "PUT", key: key, query: [("partNumber", "\(number)"), ("uploadId", uploadID)], body: bytes, what: "upload part \(number)")
        guard let etag = r.etag else { throw S3Error(.failed, "S3 upload part \(number) of \(key): the answer has no ETag") }
        return etag
    }

    /// Completes a multipart upload: the object appears, whole, only now.
    public func completeMultipartUpload(_ key: String, uploadID: String, etags: [String]) throws {
        let xml = Array(S3XML.completeBody(etags: etags).utf8)
        let r = try xml.withUnsafeBytes { raw in
            try send("POST", key: key, query: [("uploadId", uploadID)], headers: ["Content-Type: application/xml"], body: raw, what: "complete multipart upload")
        }
        // S3 may answer 200 with an <Error> body when completion fails late.
        if let e = S3XML.error(r.body) {
            throw S3Error(.failed, "S3 complete multipart upload of \(key) failed: \(e.code): \(e.message)", status: r.status)
        }
    }

    /// Aborts a multipart upload so its parts are freed; an upload already gone is not an error.
    public func abortMultipartUpload(_ key: String, uploadID: String) throws {
        do {
            _ = try send("DELETE", key: key, query: [("uploadId", uploadID)], what: "abort multipart upload")
        } catch let e as S3Error where e.code == .notFound {
            return
        }
    }

    /// Pending multipart uploads under `prefix` (first 1000).
    public func listMultipartUploads(prefix: String) throws -> [(key: String, uploadID: String)] {
        S3XML.uploads(try send("GET", key: nil, query: [("prefix", prefix), ("uploads", "")], what: "list multipart uploads").body)
    }
}
