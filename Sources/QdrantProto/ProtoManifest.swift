// DO NOT EDIT. Written by scripts/gen-grpc with the code generated from these files.
// GRPCProtoFreshnessTests fails when a .proto no longer has the SHA-256 recorded here.

/// The SHA-256 of every `proto/*.proto` file the code in this module was generated from.
public enum ProtoManifest {
    public static let sha256: [String: String] = [
        "collections.proto": "34eb1f557fda61e4975d30e0f2f300695b5b1ec6b1d53fdc4ac2ad0eefbcdb46",
        "collections_service.proto": "29458ef54b885a821e7f6f406e7134a4499a07577156001c4e84fbc7f21462b8",
        "json_with_int.proto": "b835e31bc038ed3cb0f8b56fc7b1f8b908cf486d56a872a88477ea830b963a7c",
        "points.proto": "b596364ff0590a8c536816bb436b6b762cb2de5307dcb47a375f44557cdfaf6a",
        "points_service.proto": "39ddc2db9bc9e2473be0164e32c8937191275aaea84012ce28a8073dbd22162e",
        "qdrant.proto": "c41b9ea6f176046a07ab1bdd88aa26a6ffda396d714e3e1ce47f6fd937c18484",
        "qdrant_common.proto": "f970bc091290f1de9a0ab39897940304e2856a91c76eba1a9c57a3d42c3e1434",
        "shard_snapshots_service.proto": "c9be4244edd200ec4eb9d02cf392a2d8c5b7007814587c03014a8c79e94463f4",
        "snapshots_service.proto": "4555bd9787b8408898519238260f2eeb7f6500e18df756239d51cf146a901b52",
    ]
}
