//! Replays the fuzz seeds and crash reproducers through the parsers.

use std::path::Path;

fn replay(target: &str, f: &dyn Fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    for dir in ["corpus", "regressions"] {
        let Ok(rd) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for e in rd.flatten() {
            if let Ok(bytes) = std::fs::read(e.path()) {
                f(&bytes);
            }
        }
    }
}

#[test]
fn axml_decode_replay() {
    replay("axml_decode", &|d| {
        if let Ok(doc) = apkscope_axml::parse(d) {
            let m = apkscope_axml::Manifest::from_document(&doc, None);
            let xml = apkscope_axml::to_xml(&doc);
            if let Err(e) = roxmltree::Document::parse(&xml) {
                panic!("rendered XML is not well-formed: {e}\n{xml}");
            }
            drop(m);
        }
    });
}

#[test]
fn arsc_decode_replay() {
    replay("arsc_decode", &|d| {
        if let Ok(t) = apkscope_axml::arsc::parse(d) {
            let _ = t.resolve_string(0x7f01_0000);
        }
    });
}
