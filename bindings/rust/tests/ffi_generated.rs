//! src/ffi.rs must be exactly what generate_ffi.py makes of include/deployhook.json today.

use std::fs;
use std::process::Command;

#[test]
fn ffi_rs_is_generated_from_the_json_description() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("python3")
        .arg(format!("{}/generate_ffi.py", dir))
        .arg("--stdout")
        .output()
        .expect("python3 runs generate_ffi.py");
    assert!(output.status.success(), "generate_ffi.py failed: {}", String::from_utf8_lossy(&output.stderr));
    let fresh = String::from_utf8(output.stdout).unwrap();
    let committed = fs::read_to_string(format!("{}/src/ffi.rs", dir)).unwrap();
    assert!(
        fresh == committed,
        "src/ffi.rs differs from include/deployhook.json: run `python3 bindings/rust/generate_ffi.py`"
    );
}

#[test]
fn the_description_names_every_function_the_crate_declares() {
    // A second, independent look: every `pub fn` of ffi.rs appears as a function name in the JSON.
    let dir = env!("CARGO_MANIFEST_DIR");
    let json = fs::read_to_string(format!("{}/../../include/deployhook.json", dir)).unwrap();
    let ffi = fs::read_to_string(format!("{}/src/ffi.rs", dir)).unwrap();
    let declared: Vec<&str> = ffi
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub fn "))
        .map(|rest| &rest[..rest.find('(').unwrap()])
        .collect();
    assert!(declared.len() >= 50, "{} functions", declared.len());
    for name in declared {
        assert!(json.contains(&format!("\"name\": \"{}\"", name)), "{} is not in deployhook.json", name);
    }
}
