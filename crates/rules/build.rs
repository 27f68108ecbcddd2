//! Generates the include list of the embedded default rule pack: every `*.toml` file under the
//! repository's `rules/` folder, sorted by relative path, so that adding a rule file needs no
//! code change.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs, io};

/// The default pack, relative to this crate's manifest.
const RULES_DIR: &str = "../../rules";

fn main() -> io::Result<()> {
    println!("cargo:rerun-if-changed={RULES_DIR}");
    let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| io::Error::other("CARGO_MANIFEST_DIR is not set"))?;
    let root = manifest_dir.join(RULES_DIR);
    let mut files = Vec::new();
    if root.is_dir() {
        collect(&root, &root, &mut files)?;
    }
    files.sort();
    let mut out = String::from(
        "/// Every file of the default rule pack: (path relative to `rules/`, text).\n\
         pub(crate) static DEFAULT_SOURCES: &[(&str, &str)] = &[\n",
    );
    for (rel, abs) in &files {
        // Debug formatting yields a valid Rust string literal (escapes included).
        let _ = writeln!(out, "    ({rel:?}, include_str!({abs:?})),");
    }
    out.push_str("];\n");
    let out_dir = env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| io::Error::other("OUT_DIR is not set"))?;
    fs::write(out_dir.join("default_pack.rs"), out)
}

/// Collects `(relative path with '/' separators, absolute path)` of every `*.toml` under `dir`.
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, String)>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path.strip_prefix(root).map_err(io::Error::other)?;
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let abs = path.canonicalize()?;
            files.push((rel.join("/"), abs.to_string_lossy().into_owned()));
        }
    }
    Ok(())
}
