import CZeroMQ

extension Socket {
    /// Runs libzmq's built-in proxy (`zmq_proxy`) between two sockets until their context shuts down; the
    /// calling thread is blocked the whole time. For baselines and simple devices.
    public static func proxy(frontend: Socket, backend: Socket) {
        _ = zmq_proxy(frontend.handle, backend.handle, nil)
    }
}
