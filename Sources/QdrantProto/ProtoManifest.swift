// DO NOT EDIT. Written by scripts/gen-grpc with the code generated from these files.
// GRPCProtoFreshnessTests fails when a .proto no longer has the SHA-256 recorded here.

/// The SHA-256 of every `proto/*.proto` file the code in this module was generated from.
public enum ProtoManifest {
    public static let sha256: [String: String] = [
        "collections.proto": "97a3802e3039da0aedd2232439685c4cf569b134223166cd20f9979129b21449",
        "collections_service.proto": "f1b0ac9c4e050341608e0e9cad3337401e7fe4f7024e68081a17b2e5e2420b03",
        "json_with_int.proto": "b835e31bc038ed3cb0f8b56fc7b1f8b908cf486d56a872a88477ea830b963a7c",
        "points.proto": "dbfe56e629ddc32f206902120002dc2216a4dfc70d09283d68b6775537d58489",
        "points_service.proto": "bfd95088a5cc7c4ff0b0886128583d9f5c4e73dace5badeed1b55fe5d7c1f1c0",
        "qdrant.proto": "c41b9ea6f176046a07ab1bdd88aa26a6ffda396d714e3e1ce47f6fd937c18484",
        "qdrant_common.proto": "f970bc091290f1de9a0ab39897940304e2856a91c76eba1a9c57a3d42c3e1434",
        "shard_snapshots_service.proto": "c9be4244edd200ec4eb9d02cf392a2d8c5b7007814587c03014a8c79e94463f4",
        "snapshots_service.proto": "4555bd9787b8408898519238260f2eeb7f6500e18df756239d51cf146a901b52",
    ]
}
