import CZeroMQ

extension Socket {
    /// How long unsent messages are kept after close, in milliseconds (-1 forever, 0 drop at once).
    public func setLinger(milliseconds: Int32) throws {
        try setOption(ZMQ_LINGER, milliseconds, "ZMQ_LINGER")
    }

    public func setSendHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_SNDHWM, messages, "ZMQ_SNDHWM")
    }

    public func setReceiveHighWaterMark(_ messages: Int32) throws {
        try setOption(ZMQ_RCVHWM, messages, "ZMQ_RCVHWM")
    }

    /// ROUTER only: report EHOSTUNREACH for unroutable identities instead of dropping silently.
    public func setRouterMandatory(_ on: Bool) throws {
        try setOption(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "ZMQ_ROUTER_MANDATORY")
    }

    /// The identity a ROUTER peer sees for this socket. Set before connecting.
    public func setRoutingID(_ id: [UInt8]) throws {
        try setOption(ZMQ_ROUTING_ID, bytes: id, "ZMQ_ROUTING_ID")
    }

    /// ZMTP-level heartbeats: ping every `interval` ms, drop the connection after `timeout` ms of silence,
    /// and ask the peer to drop us after `ttl` ms.
    public func setZMTPHeartbeat(intervalMilliseconds: Int32, timeoutMilliseconds: Int32, ttlMilliseconds: Int32)
        throws
    {
        try setOption(ZMQ_HEARTBEAT_IVL, intervalMilliseconds, "ZMQ_HEARTBEAT_IVL")
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, timeoutMilliseconds, "ZMQ_HEARTBEAT_TIMEOUT")
        try setOption(ZMQ_HEARTBEAT_TTL, ttlMilliseconds, "ZMQ_HEARTBEAT_TTL")
    }

    /// Drop (and disconnect) a peer that sends a frame larger than this; -1 means no limit.
    public func setMaxMessageSize(_ bytes: Int64) throws {
        try setInt64Option(ZMQ_MAXMSGSIZE, bytes, "ZMQ_MAXMSGSIZE")
    }

    /// Queue messages only to completed connections.
    public func setImmediate(_ on: Bool) throws {
        try setOption(ZMQ_IMMEDIATE, on ? 1 : 0, "ZMQ_IMMEDIATE")
    }

    public func setReceiveTimeout(milliseconds: Int32) throws {
        try setOption(ZMQ_RCVTIMEO, milliseconds, "ZMQ_RCVTIMEO")
    }

    public func setSendTimeout(milliseconds: Int32) throws {
        try setOption(ZMQ_SNDTIMEO, milliseconds, "ZMQ_SNDTIMEO")
    }

    /// Delay before reconnecting, and the upper bound of its exponential backoff, in milliseconds.
    public func setReconnectInterval(milliseconds: Int32, maxMilliseconds: Int32) throws {
        try setOption(ZMQ_RECONNECT_IVL, milliseconds, "ZMQ_RECONNECT_IVL")
        try setOption(ZMQ_RECONNECT_IVL_MAX, maxMilliseconds, "ZMQ_RECONNECT_IVL_MAX")
    }

    /// SUB only: receive messages whose first frame starts with `prefix` (empty: everything).
    public func subscribe(_ prefix: [UInt8]) throws {
        try setOption(ZMQ_SUBSCRIBE, bytes: prefix, "ZMQ_SUBSCRIBE")
    }

    public func unsubscribe(_ prefix: [UInt8]) throws {
        try setOption(ZMQ_UNSUBSCRIBE, bytes: prefix, "ZMQ_UNSUBSCRIBE")
    }

    /// XPUB only: pass every subscription message up, including duplicates.
    public func setXPubVerbose(_ on: Bool) throws {
        try setOption(ZMQ_XPUB_VERBOSE, on ? 1 : 0, "ZMQ_XPUB_VERBOSE")
    }

    /// Whether more frames of the current message are waiting.
    public var hasMore: Bool {
        get throws { try intOption(ZMQ_RCVMORE, "ZMQ_RCVMORE") != 0 }
    }

    // MARK: CURVE

    /// Make this socket a CURVE server with the given secret key (32 raw bytes).
    public func setCurveServer(secretKey: [UInt8]) throws {
        try setOption(ZMQ_CURVE_SERVER, Int32(1), "ZMQ_CURVE_SERVER")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: secretKey, "ZMQ_CURVE_SECRETKEY")
    }

    /// Make this socket a CURVE client of a server whose public key is `serverKey`.
    public func setCurveClient(keyPair: CurveKeyPair, serverKey: [UInt8]) throws {
        try setOption(ZMQ_CURVE_SERVERKEY, bytes: serverKey, "ZMQ_CURVE_SERVERKEY")
        try setOption(ZMQ_CURVE_PUBLICKEY, bytes: keyPair.publicKey, "ZMQ_CURVE_PUBLICKEY")
        try setOption(ZMQ_CURVE_SECRETKEY, bytes: keyPair.secretKey, "ZMQ_CURVE_SECRETKEY")
    }

    /// The ZAP domain this socket's handshakes are authenticated in.
    public func setZAPDomain(_ domain: String) throws {
        try setOption(ZMQ_ZAP_DOMAIN, bytes: Array(domain.utf8), "ZMQ_ZAP_DOMAIN")
    }
}
