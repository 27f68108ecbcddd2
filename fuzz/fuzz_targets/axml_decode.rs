//! Decodes arbitrary bytes as binary XML, builds the typed manifest and renders text XML.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = apkscope_axml::parse(data) {
        let m = apkscope_axml::Manifest::from_document(&doc, None);
        drop(m);
        drop(apkscope_axml::to_xml(&doc));
    }
});
