/// The library's version; the C header's `DEPLOYHOOK_VERSION` macro must equal it (checked by the C tests).
public enum DeployHookVersion {
    /// The version as static text, usable as a C string that lives as long as the program.
    public static let staticString: StaticString = "0.2.0"
    /// The version as a Swift string, e.g. "0.1.0".
    public static var string: String { staticString.description }
    /// major * 1_000_000 + minor * 1_000 + patch.
    public static let number: Int32 = 2_000
}
