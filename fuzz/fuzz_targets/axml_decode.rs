//! Decodes arbitrary bytes as binary XML, builds the typed manifest and renders text XML, which
//! must be well-formed XML 1.0 with Namespaces (checked with roxmltree, strict and
//! namespace-aware; it accepts XML 1.1's `xmlns:p=""`, so that is checked here).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = apkscope_axml::parse(data) {
        let m = apkscope_axml::Manifest::from_document(&doc, None);
        drop(m);
        let out = apkscope_axml::render_xml(&doc, None);
        let xml = match roxmltree::Document::parse(&out.xml) {
            Ok(xml) => xml,
            Err(e) => panic!(
                "rendered XML is not well-formed: {e}\n{}\n{:#?}",
                out.xml, out.anomalies
            ),
        };
        // Every declaration is on the root element.
        for ns in xml.root_element().namespaces() {
            assert!(
                ns.name().is_none() || !ns.uri().is_empty(),
                "xmlns:{}=\"\" is not XML 1.0\n{}",
                ns.name().unwrap_or_default(),
                out.xml
            );
        }
        assert_eq!(out.xml, apkscope_axml::to_xml(&doc), "rendering is deterministic");
    }
});
