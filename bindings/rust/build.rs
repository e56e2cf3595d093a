//! Finds libdeployhook for the linker, without a crate:
//! 1. DEPLOYHOOK_LIB_DIR, when set: the directory holding libdeployhook.so;
//! 2. `pkg-config --libs deployhook` (the PKG_CONFIG variable names another pkg-config), with this
//!    checkout's packaging/build-tree first on PKG_CONFIG_PATH: it works right after `swift build -c release`;
//! 3. without pkg-config: the checkout's packaging/build-tree/lib, else the system's linker path.
//!
//! Emits rustc-link-search, rustc-link-lib and an rpath (for this crate's tests and examples), and
//! `cargo:lib_dir=DIR` (DEP_DEPLOYHOOK_LIB_DIR in the build script of a crate that depends on this one).

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    for variable in ["DEPLOYHOOK_LIB_DIR", "PKG_CONFIG", "PKG_CONFIG_PATH"] {
        println!("cargo:rerun-if-env-changed={}", variable);
    }
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let build_tree = manifest.join("..").join("..").join("packaging").join("build-tree");
    let build_tree = build_tree.canonicalize().unwrap_or(build_tree); // a plain rpath, without ".."

    if let Some(dir) = env::var_os("DEPLOYHOOK_LIB_DIR") {
        link_directory(Path::new(&dir));
        return;
    }

    let mut search = Vec::new();
    if build_tree.join("deployhook.pc").is_file() {
        search.push(build_tree.clone());
    }
    if let Some(path) = env::var_os("PKG_CONFIG_PATH") {
        search.extend(env::split_paths(&path));
    }
    let pkg_config = env::var_os("PKG_CONFIG").unwrap_or_else(|| OsString::from("pkg-config"));
    let mut command = Command::new(&pkg_config);
    command.args(["--libs", "deployhook"]);
    if let Ok(path) = env::join_paths(&search) {
        command.env("PKG_CONFIG_PATH", path);
    }
    match command.output() {
        Ok(output) if output.status.success() => {
            let flags = String::from_utf8_lossy(&output.stdout).into_owned();
            for flag in flags.split_whitespace() {
                if let Some(dir) = flag.strip_prefix("-L") {
                    warn_if_unbuilt(Path::new(dir));
                    println!("cargo:rustc-link-search=native={}", dir);
                    println!("cargo:lib_dir={}", dir);
                } else if let Some(name) = flag.strip_prefix("-l") {
                    println!("cargo:rustc-link-lib={}", name);
                } else {
                    println!("cargo:rustc-link-arg={}", flag); // -Wl,-rpath,DIR
                }
            }
            return;
        }
        Ok(output) => println!(
            "cargo:warning=pkg-config knows no deployhook ({}); trying without it",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(_) => {} // no pkg-config on this machine
    }

    let checkout_lib = build_tree.join("lib");
    if checkout_lib.join("libdeployhook.so").exists() {
        link_directory(&checkout_lib);
    } else {
        println!("cargo:rustc-link-lib=deployhook"); // installed on the system, or the link says why not
    }
}

/// Links against DIR/libdeployhook.so, with DIR as the rpath of this crate's tests and examples.
fn link_directory(dir: &Path) {
    warn_if_unbuilt(dir);
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=deployhook");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!("cargo:lib_dir={}", dir.display());
}

fn warn_if_unbuilt(dir: &Path) {
    if !dir.join("libdeployhook.so").exists() {
        println!(
            "cargo:warning={} holds no libdeployhook.so (from a checkout, run `swift build -c release` first)",
            dir.display()
        );
    }
}
