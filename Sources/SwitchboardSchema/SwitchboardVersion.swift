/// The release of this build, reported by `--version`, `/healthz` and `/api/v1/stats`.
public enum SwitchboardVersion {
    public static let current = "0.9.0"
}
