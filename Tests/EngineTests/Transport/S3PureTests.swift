import Foundation
import Testing
@testable import Engine

/// The parts of the S3 backend that need no server: key building and name validation, SigV4 URI
/// encoding and URL shapes, the XML documents read, and credentials never printed.
@Suite struct S3KeyTests {
    let store = S3SnapshotStore(
        client: S3Client(endpoint: S3Endpoint(endpointURL: "http://127.0.0.1:9000", region: "eu-central-1", bucket: "b", credentials: nil)),
        localTemp: "/tmp/unused")

    @Test func keysFollowQdrantLayout() throws {
        #expect(try store.key(.collection("c"), name: "c-1-2024.snapshot") == "snapshots/c/c-1-2024.snapshot")
        #expect(try store.key(.shard(collection: "c", shard: 3), name: "x.snapshot") == "snapshots/c/shards/3/x.snapshot")
        #expect(try store.key(.full, name: "full-snapshot-1.snapshot") == "snapshots/full-snapshot-1.snapshot")
        let prefixed = S3SnapshotStore(client: store.client, root: "/team/a/snapshots/", localTemp: "/tmp/unused")
        #expect(try prefixed.key(.collection("c"), name: "x") == "team/a/snapshots/c/x")
        #expect(prefixed.prefix(.full) == "team/a/snapshots/")
    }

    @Test func namesThatCouldReachAnotherKeyAreNotFound() {
        for bad in ["", ".", "..", "../x", "a/b", "/abs", "..\\x", "x\u{0}", "x\ny"] {
            #expect(throws: SnapshotError.self) { _ = try store.key(.collection("c"), name: bad) }
            #expect(throws: SnapshotError.self) { _ = try store.key(.full, name: bad) }
        }
        for badCollection in ["", ".", "..", "a/b"] {
            #expect(throws: SnapshotError.self) { _ = try store.key(.collection(badCollection), name: "x.snapshot") }
            #expect(throws: SnapshotError.self) { _ = try store.key(.shard(collection: badCollection, shard: 0), name: "x.snapshot") }
        }
    }

    @Test func emptyKeyIsRefusedBeforeAnyRequest() {
        // An empty key would address the bucket: DELETE on it deletes the bucket.
        let client = S3Client(endpoint: S3Endpoint(endpointURL: "http://127.0.0.1:1", region: "", bucket: "b", credentials: nil), retries: 0)
        #expect(throws: S3Error.self) { try client.deleteObject("") }
        #expect(throws: S3Error.self) { try client.abortMultipartUpload("", uploadID: "u") }
    }
}

@Suite struct S3EndpointTests {
    @Test func pathAndVirtualHostURLs() {
        let path = S3Endpoint(endpointURL: "http://127.0.0.1:9000/", region: "", bucket: "bkt", credentials: nil)
        #expect(path.pathStyle && path.region == "us-east-1")
        #expect(path.url(key: "snapshots/c/a b+c.snapshot") == "http://127.0.0.1:9000/bkt/snapshots/c/a%20b%2Bc.snapshot")
        let virtual = S3Endpoint(endpointURL: "http://localhost:9000", region: "us-east-1", bucket: "bkt", credentials: nil, pathStyle: false)
        #expect(virtual.url(key: "k") == "http://bkt.localhost:9000/k")
        #expect(virtual.url(key: nil, query: [("list-type", "2")]) == "http://bkt.localhost:9000/?list-type=2")
        let aws = S3Endpoint(endpointURL: nil, region: "eu-west-1", bucket: "bkt", credentials: nil)
        #expect(!aws.pathStyle && aws.url(key: "k") == "https://bkt.s3.eu-west-1.amazonaws.com/k")
    }

    @Test func queryIsCanonicalSortedAndEncoded() {
        // libcurl signs the query as sent, so it must already be SigV4's canonical form.
        let e = S3Endpoint(endpointURL: "http://h", region: "r", bucket: "b", credentials: nil)
        let url = e.url(key: nil, query: [("prefix", "snapshots/c/"), ("list-type", "2"), ("delimiter", "/"), ("uploads", "")])
        #expect(url == "http://h/b?delimiter=%2F&list-type=2&prefix=snapshots%2Fc%2F&uploads=")
        #expect(S3Endpoint.encode("a~b-c_d.e/é", keepSlash: true) == "a~b-c_d.e/%C3%A9")
    }

    @Test func credentialsNeverPrint() {
        let c = S3Credentials(accessKey: "AKIAEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG")
        let e = S3Endpoint(endpointURL: nil, region: "r", bucket: "b", credentials: c)
        for text in ["\(c)", String(describing: c), "\(e)", String(reflecting: c)] {
            #expect(!text.contains("wJalrXUtnFEMI"))
        }
        #expect(S3Credentials(pair: "AK:SE:CRET") == S3Credentials(accessKey: "AK", secretKey: "SE:CRET"))
        #expect(S3Credentials(pair: "nocolon") == nil && S3Credentials(pair: ":x") == nil && S3Credentials(pair: "x:") == nil)
    }
}

@Suite struct S3XMLTests {
    @Test func listObjectsV2Page() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><Prefix>snapshots/c/</Prefix>
            <KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><NextContinuationToken>tok&amp;1</NextContinuationToken>
            <Contents><Key>snapshots/c/a.snapshot</Key><LastModified>2024-07-22T08:31:55.000Z</LastModified><ETag>"e"</ETag><Size>1000000</Size></Contents>
            <Contents><Size>64</Size><Key>snapshots/c/a.snapshot.checksum</Key><LastModified>2024-07-22T08:31:56.000Z</LastModified></Contents>
            <CommonPrefixes><Prefix>snapshots/c/shards/</Prefix></CommonPrefixes></ListBucketResult>
            """
        let page = try S3XML.listPage(Array(xml.utf8))
        #expect(page.isTruncated && page.nextContinuationToken == "tok&1")
        #expect(page.objects == [
            S3Object(key: "snapshots/c/a.snapshot", size: 1_000_000, lastModified: "2024-07-22T08:31:55.000Z"),
            S3Object(key: "snapshots/c/a.snapshot.checksum", size: 64, lastModified: "2024-07-22T08:31:56.000Z"),
        ])
        #expect(S3XML.creationTime("2024-07-22T08:31:55.000Z") == "2024-07-22T08:31:55")
        #expect(throws: S3Error.self) { _ = try S3XML.listPage(Array("<html><body>proxy error</body></html>".utf8)) }
        #expect(throws: S3Error.self) { _ = try S3XML.listPage(Array("not xml".utf8)) }
    }

    @Test func uploadsInEitherElementOrder() {
        // moto sends UploadId before Key; pairing them by position once sent an empty key.
        let xml = """
            <ListMultipartUploadsResult><Bucket>b</Bucket>
            <Upload><UploadId>u1</UploadId><Key>snapshots/c/x.snapshot</Key></Upload>
            <Upload><Key>snapshots/y.snapshot</Key><UploadId>u2</UploadId></Upload>
            </ListMultipartUploadsResult>
            """
        let uploads = S3XML.uploads(Array(xml.utf8))
        #expect(uploads.map(\.key) == ["snapshots/c/x.snapshot", "snapshots/y.snapshot"])
        #expect(uploads.map(\.uploadID) == ["u1", "u2"])
    }

    @Test func errorsAndUploadIDAndCompleteBody() {
        let err = S3XML.error(Array("<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>".utf8))
        #expect(err?.code == "NoSuchBucket" && err?.message == "The specified bucket does not exist")
        #expect(S3XML.error(Array("<ListBucketResult/>".utf8)) == nil && S3XML.error([]) == nil)
        #expect(S3XML.uploadID(Array("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc</UploadId></InitiateMultipartUploadResult>".utf8)) == "abc")
        #expect(S3XML.completeBody(etags: ["\"e1\"", "\"e2\""]) ==
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part></CompleteMultipartUpload>")
    }

    @Test func errorMessagesNameTheProblemNotTheSecret() {
        let ep = S3Endpoint(endpointURL: "http://h", region: "r", bucket: "b", credentials: S3Credentials(accessKey: "AK", secretKey: "SECRETVALUE"))
        let body = Array("<Error><Code>SignatureDoesNotMatch</Code><Message>bad sig</Message></Error>".utf8)
        let e = S3Client.error(for: .init(status: 403, etag: nil, lastModified: nil, contentLength: nil, body: body), what: "put", key: "k", endpoint: ep)
        #expect(e.code == .accessDenied && e.message.contains("SignatureDoesNotMatch") && !e.message.contains("SECRETVALUE"))
        let nb = S3Client.error(for: .init(status: 404, etag: nil, lastModified: nil, contentLength: nil,
                                           body: Array("<Error><Code>NoSuchBucket</Code></Error>".utf8)), what: "list", key: nil, endpoint: ep)
        #expect(nb.code == .noSuchBucket)
        #expect(S3Client.retryable(status: 503) && S3Client.retryable(status: 0) && !S3Client.retryable(status: 404))
    }
}
