extension Duration {
    /// The duration in seconds, as the `time` of Qdrant's envelope and the `duration_ms` of logs use it.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) * 1e-18
    }
}
