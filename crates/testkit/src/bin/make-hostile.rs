//! Writes the hostile set into a folder: one file per case of the hostile-upload issue, for the
//! benchmark (`benches/hostile.sh`) and for trying a build by hand.
//!
//! usage: `make-hostile OUT_DIR [--scale seed|small|full]`
//!
//! `small` (the default) keeps every file under 16 MB and every bomb under 1 GiB inflated;
//! `full` builds the sizes of the reports (1,000 MiB bombs, 65,535 protos, 200,000
//! libraries); `seed` keeps every file under 1 MB, for the `scan_memory` fuzz corpus.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use apkscope_testkit::hostile;
use apkscope_testkit::zip::ZipEntry;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first().map(PathBuf::from) else {
        eprintln!("usage: make-hostile OUT_DIR [--scale seed|small|full]");
        return ExitCode::from(3);
    };
    let scale_arg = args
        .iter()
        .position(|a| a == "--scale")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str);
    let scale = match scale_arg {
        None | Some("small") => Scale::Small,
        Some("full") => Scale::Full,
        Some("seed") => Scale::Seed,
        Some(other) => {
            eprintln!("make-hostile: unknown scale {other:?} (seed, small, full)");
            return ExitCode::from(3);
        }
    };
    match write_all(&out, scale) {
        Ok(n) => {
            eprintln!("make-hostile: {n} files in {}", out.display());
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("make-hostile: {err}");
            ExitCode::from(2)
        }
    }
}

const MIB: u64 = 1 << 20;

#[derive(Clone, Copy)]
enum Scale {
    Seed,
    Small,
    Full,
}

fn write_all(out: &Path, scale: Scale) -> std::io::Result<usize> {
    std::fs::create_dir_all(out)?;
    let (protos, bomb, libs, archives, manifest_elements) = match scale {
        Scale::Seed => (16_384, 40 * MIB, 4_000, 2, 100_000),
        Scale::Small => (16_384, 400 * MIB, 40_000, 6, 1_000_000),
        Scale::Full => (65_535, 1000 * MIB, 200_000, 6, 5_000_000),
    };
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "shared-type-list.apk",
            hostile::apk(vec![ZipEntry::deflated(
                "classes.dex",
                hostile::shared_type_list_dex(protos, 0, 65_535),
            )]),
        ),
        (
            "shared-interfaces.apk",
            hostile::apk(vec![ZipEntry::deflated(
                "classes.dex",
                hostile::shared_type_list_dex(0, 16_384, 65_535),
            )]),
        ),
        (
            "overlapping-type-lists.apk",
            hostile::apk(vec![ZipEntry::deflated(
                "classes.dex",
                hostile::overlapping_type_lists_dex(protos, 32_768),
            )]),
        ),
        (
            "nested-dex-bombs.apk",
            hostile::nested_dex_bombs(archives, bomb),
        ),
        (
            "shared-local-header.apk",
            hostile::shared_local_header_bombs(200, bomb / 4),
        ),
        ("many-native-libs.apk", hostile::many_native_libs(libs)),
        (
            "huge-manifest.apk",
            apkscope_testkit::zip::ZipBuilder::new()
                .deflated(
                    "AndroidManifest.xml",
                    hostile::huge_manifest(manifest_elements),
                )
                .build(),
        ),
        (
            "dex-bomb.apk",
            hostile::apk(vec![hostile::dex_bomb_entry("classes2.dex", 2 * bomb)]),
        ),
    ];
    let count = files.len();
    for (name, bytes) in files {
        std::fs::write(out.join(name), bytes)?;
    }
    Ok(count)
}
