//! Every fuzz seed and crash reproducer of `apk_open`, run as a test.

use std::path::PathBuf;

fn files(sub: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(sub);
    let Ok(rd) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn fuzz_seeds_and_regressions_never_panic() {
    let mut n = 0;
    for path in files("corpus/apk_open")
        .into_iter()
        .chain(files("regressions/apk_open"))
    {
        let data = std::fs::read(&path).unwrap();
        let _ = crate::exercise(&data, crate::SMALL);
        n += 1;
    }
    // The seeds are committed with the crate.
    assert!(n > 0, "no fuzz seeds found under fuzz/corpus/apk_open");
}

/// Regenerates the committed seed corpus:
/// `cargo test -p apkscope-apk --test tests -- --ignored write_fuzz_seeds`.
#[test]
#[ignore = "writes fuzz/corpus/apk_open; run by hand"]
fn write_fuzz_seeds() {
    use apkscope_testkit::zip::{Method, V2_BLOCK_ID, ZipBuilder, ZipEntry};
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/apk_open");
    std::fs::create_dir_all(&dir).unwrap();
    let text = b"<manifest package=\"x\"/>".repeat(4);
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        (
            "plain.zip",
            ZipBuilder::new()
                .stored("AndroidManifest.xml", &text)
                .deflated("classes.dex", &text)
                .build(),
        ),
        (
            "zip64.zip",
            ZipBuilder::new()
                .zip64()
                .stored("a", b"a")
                .deflated("b", &text)
                .build(),
        ),
        (
            "signed.zip",
            ZipBuilder::new()
                .deflated("a", &text)
                .signing_block(&[(V2_BLOCK_ID, b"sig"), (0x7177_7777, b"ch")])
                .build(),
        ),
        (
            "tricks.zip",
            ZipBuilder::new()
                .prepend(b"dex\n035\0")
                .entry(ZipEntry::deflated("a", &text).encrypted())
                .entry(ZipEntry::stored("a", b"dup").local(|l| l.crc32 = Some(1)))
                .entry(ZipEntry::new("m", b"odd", Method::Custom(99)).garbage_after(b"gap"))
                .entry(ZipEntry::deflated("../x", &text).with_data_descriptor(true))
                .comment(b"comment")
                .build(),
        ),
        ("empty.zip", ZipBuilder::new().build()),
    ];
    for (name, bytes) in seeds {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
