// DO NOT EDIT. Written by scripts/gen-grpc with the code generated from these files.
// GRPCProtoFreshnessTests fails when a .proto no longer has the SHA-256 recorded here.

/// The SHA-256 of every `proto/*.proto` file the code in this module was generated from.
public enum ProtoManifest {
    public static let sha256: [String: String] = [
        "collections.proto": "ce96ebd47a2870b5b5e07f6e253cd967f8cfcfaafdbf9a430c3fd751c0381b40",
        "collections_service.proto": "f1b0ac9c4e050341608e0e9cad3337401e7fe4f7024e68081a17b2e5e2420b03",
        "json_with_int.proto": "b835e31bc038ed3cb0f8b56fc7b1f8b908cf486d56a872a88477ea830b963a7c",
        "points.proto": "3c66e212bb0267517eeaf9cb1cd91d2a696f3e37a6ff2976c4cbdd412d32540a",
        "points_service.proto": "b0a714be8a809822763727c7139250a8d53c73a6e79f9d7ec56c04c277fa5f37",
        "qdrant.proto": "c41b9ea6f176046a07ab1bdd88aa26a6ffda396d714e3e1ce47f6fd937c18484",
        "qdrant_common.proto": "f970bc091290f1de9a0ab39897940304e2856a91c76eba1a9c57a3d42c3e1434",
        "shard_snapshots_service.proto": "c9be4244edd200ec4eb9d02cf392a2d8c5b7007814587c03014a8c79e94463f4",
        "snapshots_service.proto": "4555bd9787b8408898519238260f2eeb7f6500e18df756239d51cf146a901b52",
    ]
}
