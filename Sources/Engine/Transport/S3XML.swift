import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One object of a ListObjectsV2 answer.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var size: Int64
    /// `LastModified` as S3 sends it (ISO 8601, e.g. `2024-07-22T08:31:55.000Z`).
    public var lastModified: String
}

/// One page of ListObjectsV2.
public struct S3ListPage: Sendable, Equatable {
    public var objects: [S3Object] = []
    public var nextContinuationToken: String?
    public var isTruncated = false
}

/// The few S3 XML documents qdb reads, parsed with Foundation's `XMLParser`.
public enum S3XML {
    /// Element paths (`A/B/C`) and their text, in document order.
    final class Collector: NSObject, XMLParserDelegate {
        var stack: [String] = []
        var text = ""
        var leaves: [(path: String, text: String)] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
            stack.append(name)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            leaves.append((stack.joined(separator: "/"), text))
            stack.removeLast()
            text = ""
        }
    }

    static func leaves(_ bytes: [UInt8]) -> [(path: String, text: String)]? {
        let parser = XMLParser(data: Data(bytes))
        let collector = Collector()
        parser.delegate = collector
        guard parser.parse() else { return nil }
        return collector.leaves
    }

    /// Parses a ListObjectsV2 result (`ListBucketResult`).
    public static func listPage(_ bytes: [UInt8]) throws -> S3ListPage {
        guard let leaves = leaves(bytes), leaves.contains(where: { $0.path == "ListBucketResult" }) else {
            throw S3Error(.failed, "S3 list: the answer is not a ListBucketResult document")
        }
        var page = S3ListPage()
        var current: S3Object?
        for (path, text) in leaves {
            switch path {
            case "ListBucketResult/Contents/Key": current = S3Object(key: text, size: current?.size ?? 0, lastModified: current?.lastModified ?? "")
            case "ListBucketResult/Contents/Size": current = current.map { var o = $0; o.size = Int64(text) ?? 0; return o } ?? S3Object(key: "", size: Int64(text) ?? 0, lastModified: "")
            case "ListBucketResult/Contents/LastModified": current = current.map { var o = $0; o.lastModified = text; return o } ?? S3Object(key: "", size: 0, lastModified: text)
            case "ListBucketResult/Contents":
                if let c = current { page.objects.append(c) }
                current = nil
            case "ListBucketResult/IsTruncated": page.isTruncated = text == "true"
            case "ListBucketResult/NextContinuationToken": page.nextContinuationToken = text
            default: break
            }
        }
        return page
    }

    /// `UploadId` of an InitiateMultipartUploadResult.
    public static func uploadID(_ bytes: [UInt8]) -> String? {
        leaves(bytes)?.first { $0.path.hasSuffix("InitiateMultipartUploadResult/UploadId") }?.text
    }

    /// Pending multipart uploads (key, upload id) of a ListMultipartUploadsResult.
    public static func uploads(_ bytes: [UInt8]) -> [(key: String, uploadID: String)] {
        var out: [(String, String)] = []
        var key = ""
        var id = ""
        for (path, text) in leaves(bytes) ?? [] {
            switch path {
            case "ListMultipartUploadsResult/Upload/Key": key = text
            case "ListMultipartUploadsResult/Upload/UploadId": id = text
            case "ListMultipartUploadsResult/Upload":
                if !key.isEmpty, !id.isEmpty { out.append((key, id)) }
                (key, id) = ("", "")
            default: break
            }
        }
        return out
    }

    /// `<Error><Code>…</Code><Message>…</Message></Error>`; nil when the body is not one.
    public static func error(_ bytes: [UInt8]) -> (code: String, message: String)? {
        guard !bytes.isEmpty, let leaves = leaves(bytes) else { return nil }
        guard let code = leaves.first(where: { $0.path == "Error/Code" })?.text else { return nil }
        return (code, leaves.first { $0.path == "Error/Message" }?.text ?? "")
    }

    /// The body of CompleteMultipartUpload.
    public static func completeBody(etags: [String]) -> String {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (i, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(escape(etag))</ETag></Part>"
        }
        return xml + "</CompleteMultipartUpload>"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// S3's `LastModified` (`2024-07-22T08:31:55.000Z`) as Qdrant's naive `creation_time`
    /// (`2024-07-22T08:31:55`).
    public static func creationTime(_ lastModified: String) -> String? {
        guard lastModified.count >= 19 else { return nil }
        return String(lastModified.prefix(19))
    }
}
