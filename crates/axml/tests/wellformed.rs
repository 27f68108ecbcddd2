//! The text XML is well-formed XML 1.0 with Namespaces whatever the binary document holds.
//!
//! Every output here is parsed with roxmltree (strict and namespace-aware: it rejects bad
//! names, undeclared or reserved prefixes, duplicate expanded attribute names and characters
//! XML cannot carry; it accepts XML 1.1's `xmlns:p=""`, so that is checked here) and compared
//! with the document: same elements, same attribute counts, same namespaces. Hostile cases are built with the testkit; then thousands of
//! deterministic mutations of built manifests and (when `../shared` is present) corpus
//! manifests are rendered and parsed.
#![allow(clippy::print_stderr)] // counts and skips are reported

use crate::built::{decoy_manifest, hostile_names_manifest, manifest};
use apkscope_axml::{
    Anomaly, Document, RenderedXml, codes, parse, render_xml, to_xml, to_xml_with,
};
use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
use std::path::Path;

const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
const NAME: u32 = 0x0101_0003;
const LABEL: u32 = 0x0101_0001;

fn count(an: &[Anomaly], code: &str) -> usize {
    an.iter().filter(|a| a.code == code).count()
}

/// A namespace URI that must come out as it is (or, after a collision, with `#n` appended).
fn writable_uri(u: Option<&String>) -> Option<&str> {
    u.map(String::as_str).filter(|u| {
        !u.is_empty()
            && *u != XMLNS_NS
            && u.chars().all(|c| {
                matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            })
    })
}

/// A name that must come out as it is.
fn plain_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn same_ns(what: &str, doc_ns: Option<&String>, xml_ns: Option<&str>, xml: &str) {
    if let Some(u) = writable_uri(doc_ns) {
        let got = xml_ns.unwrap_or_default();
        assert!(
            got == u || got.strip_prefix(u).is_some_and(|r| r.starts_with('#')),
            "{what}: namespace {u:?} written as {got:?}\n{xml}"
        );
    } else if doc_ns.is_none_or(String::is_empty) {
        assert_eq!(xml_ns, None, "{what}: no namespace\n{xml}");
    }
}

/// Parses `out.xml` with roxmltree and checks it shows `doc`: the same element tree, the same
/// number of attributes per element, the same namespaces, the same plain names.
fn check(doc: &Document, out: &RenderedXml) {
    let xml = &out.xml;
    let parsed = roxmltree::Document::parse(xml);
    assert!(
        parsed.is_ok(),
        "not well-formed: {:?}\n{xml}\n{:#?}",
        parsed.as_ref().err(),
        out.anomalies
    );
    let Ok(x) = parsed else { return };
    // roxmltree accepts `xmlns:p=""` (XML 1.1 undeclaring); XML 1.0 Namespaces does not.
    // Declarations are only written on the root element.
    for ns in x.root_element().namespaces() {
        assert!(
            ns.name().is_none() || !ns.uri().is_empty(),
            "xmlns:{}=\"\" is not XML 1.0\n{xml}",
            ns.name().unwrap_or_default()
        );
    }
    let Some(root) = &doc.root else {
        assert_eq!(x.root_element().tag_name().name(), "no-root-element");
        return;
    };
    let mut stack = vec![(root, x.root_element())];
    while let Some((el, xe)) = stack.pop() {
        let what = format!("<{}> at {:#x}", el.name, el.offset);
        same_ns(&what, el.namespace.as_ref(), xe.tag_name().namespace(), xml);
        if plain_name(&el.name) {
            assert_eq!(xe.tag_name().name(), el.name, "{what}\n{xml}");
        }
        assert_eq!(
            xe.attributes().len(),
            el.attributes.len(),
            "{what}: attributes\n{xml}"
        );
        for (a, xa) in el.attributes.iter().zip(xe.attributes()) {
            let what = format!("{what} attribute {:?}", a.name);
            same_ns(&what, a.namespace.as_ref(), xa.namespace(), xml);
            if plain_name(&a.name) && a.name != "xmlns" {
                let renamed = xa
                    .name()
                    .strip_prefix(a.name.as_str())
                    .is_some_and(|r| r.starts_with('_'));
                assert!(xa.name() == a.name || renamed, "{what}: {:?}", xa.name());
            }
        }
        let kids: Vec<_> = el.elements().collect();
        let xkids: Vec<_> = xe.children().filter(roxmltree::Node::is_element).collect();
        assert_eq!(kids.len(), xkids.len(), "{what}: children\n{xml}");
        stack.extend(kids.into_iter().zip(xkids));
    }
}

/// Decodes, renders, checks; the plain renderers give the same text.
fn render(data: &[u8]) -> (Document, RenderedXml) {
    let doc = parse(data);
    assert!(doc.is_ok(), "{doc:?}");
    let doc = doc.unwrap_or_default();
    let out = render_xml(&doc, None);
    check(&doc, &out);
    assert_eq!(out.xml, to_xml(&doc));
    assert_eq!(out, render_xml(&doc, None), "deterministic");
    (doc, out)
}

#[test]
fn well_formed_documents_render_without_anomalies() {
    for b in [AxmlBuilder::new(), AxmlBuilder::new().utf8()] {
        let data = manifest(b, 30, AttrValue::str("My App"), Some(0x7f05_0000)).build();
        let (doc, out) = render(&data);
        assert!(out.anomalies.is_empty(), "{:#?}", out.anomalies);
        assert_eq!(out.xml, to_xml_with(&doc, None));
        assert!(out.xml.contains(
            "<manifest xmlns:android=\"http://schemas.android.com/apk/res/android\" \
             android:versionCode=\"42\""
        ));
    }
    let (_, out) = render(&decoy_manifest(AxmlBuilder::new()).build());
    assert!(out.anomalies.is_empty(), "{:#?}", out.anomalies);
}

/// The reported case: `xmlns:_=""` (an empty prefix is written `_`, and a prefix cannot be
/// bound to an empty URI in XML 1.0).
#[test]
fn declarations_with_an_empty_uri_are_dropped() {
    let data = AxmlBuilder::new()
        .ns("", "")
        .ns("_", "")
        .ns("_", "")
        .ns("android", ANDROID_NS)
        .start_in(
            "",
            "manifest",
            vec![
                Attr::in_ns("", "package", AttrValue::str("p")),
                Attr::android("label", LABEL, AttrValue::str("L")),
            ],
        )
        .end_in("", "manifest")
        .build();
    let (_, out) = render(&data);
    assert_eq!(count(&out.anomalies, codes::XML_NAMESPACE_DROPPED), 2);
    assert!(!out.xml.contains("xmlns:_"), "{}", out.xml);
    assert!(out.xml.contains("<manifest "), "{}", out.xml);
    assert!(out.xml.contains(" package=\"p\""), "{}", out.xml);
    let d = &out.anomalies[0].detail;
    assert!(d.contains("prefix \"\" and an empty URI"), "{d}");
}

#[test]
fn prefixes_that_cannot_be_written_are_replaced() {
    let decls = [
        (Some("1a b"), "urn:a", "_1a_b"),
        (Some("xmlns"), "urn:b", "ns1"),
        (Some("xml"), "urn:c", "ns2"),
        (Some("p"), "urn:d", "p"),
        (Some("p"), "urn:e", "ns3"),
        (Some("ns0"), "urn:f", "ns0"),
        (None, "urn:g", "ns4"),
        (Some(""), "urn:h", "_"),
        (Some("a:b"), "urn:i", "a_b"),
    ];
    let mut b = AxmlBuilder::new();
    for (p, u, _) in decls {
        b = match p {
            Some(p) => b.ns(p, u),
            None => b.ns_without_prefix(u),
        };
    }
    let attrs = decls
        .iter()
        .map(|(_, u, _)| Attr::in_ns(u, "x", AttrValue::str(u)))
        .collect();
    let data = b
        .start_in("urn:a", "root", attrs)
        .end_in("urn:a", "root")
        .build();
    let (_, out) = render(&data);
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let r = x.root_element();
    for (p, u, want) in decls {
        assert_eq!(r.lookup_prefix(u), Some(want), "{p:?} {u}\n{}", out.xml);
    }
    assert_eq!(r.tag_name().namespace(), Some("urn:a"));
    assert_eq!(count(&out.anomalies, codes::XML_PREFIX_REPLACED), 7);
    let details: Vec<&str> = out.anomalies.iter().map(|a| a.detail.as_str()).collect();
    assert!(details.contains(&"prefix \"1a b\" is not an XML name; written as \"_1a_b\""));
    assert!(
        details
            .iter()
            .any(|d| d.starts_with("reserved prefix \"xmlns\"")),
        "{details:#?}"
    );
}

#[test]
fn reserved_namespaces_are_written_as_xml_allows() {
    let data = AxmlBuilder::new()
        .ns("foo", XML_NS)
        .ns("x", XMLNS_NS)
        .start(
            "manifest",
            vec![
                Attr::in_ns(XML_NS, "lang", AttrValue::str("fr")),
                Attr::in_ns(XMLNS_NS, "y", AttrValue::str("z")),
            ],
        )
        .start_in(XML_NS, "e", vec![])
        .end_in(XML_NS, "e")
        .end("manifest")
        .build();
    let (_, out) = render(&data);
    assert!(out.xml.contains(" xml:lang=\"fr\""), "{}", out.xml);
    // `xml:` on an element is rejected by strict parsers (roxmltree): another URI.
    assert!(out.xml.contains("<ns0:e/>"), "{}", out.xml);
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let r = x.root_element();
    assert_eq!(r.attribute((XML_NS, "lang")), Some("fr"));
    assert_eq!(
        r.attribute(("http://www.w3.org/2000/xmlns/#2", "y")),
        Some("z")
    );
    let e = r.first_element_child().unwrap();
    assert_eq!(
        e.tag_name().namespace(),
        Some("http://www.w3.org/XML/1998/namespace#2")
    );
    assert_eq!(count(&out.anomalies, codes::XML_PREFIX_REPLACED), 1);
    assert_eq!(count(&out.anomalies, codes::XML_NAMESPACE_URI_REPLACED), 2);
}

#[test]
fn uris_that_collide_after_replacement_stay_distinct() {
    let data = AxmlBuilder::new()
        .ns("a", "urn:\u{1}")
        .ns("b", "urn:\u{2}")
        .ns("c", "urn:\u{fffd}")
        .start(
            "manifest",
            vec![
                Attr::in_ns("urn:\u{1}", "n", AttrValue::str("1")),
                Attr::in_ns("urn:\u{2}", "n", AttrValue::str("2")),
                Attr::in_ns("urn:\u{fffd}", "n", AttrValue::str("3")),
            ],
        )
        .end("manifest")
        .build();
    let (_, out) = render(&data);
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let r = x.root_element();
    assert_eq!(r.attribute(("urn:\u{fffd}", "n")), Some("1"));
    assert_eq!(r.attribute(("urn:\u{fffd}#2", "n")), Some("2"));
    assert_eq!(r.attribute(("urn:\u{fffd}#3", "n")), Some("3"));
    assert_eq!(count(&out.anomalies, codes::XML_NAMESPACE_URI_REPLACED), 3);
    assert_eq!(count(&out.anomalies, codes::XML_DUPLICATE_ATTRIBUTE), 0);
    let d = &out.anomalies[0].detail;
    assert!(
        d.contains("\"urn:\\u{1}\" has characters XML 1.0 cannot carry (U+0001)"),
        "{d}"
    );
}

#[test]
fn undeclared_namespaces_are_declared_on_the_root() {
    let data = AxmlBuilder::new()
        .start(
            "manifest",
            vec![Attr::android("label", LABEL, AttrValue::str("L"))],
        )
        .start_in(
            "urn:q",
            "x",
            vec![Attr::in_ns("urn:q", "y", AttrValue::int(1))],
        )
        .end_in("urn:q", "x")
        .end("manifest")
        .build();
    let (_, out) = render(&data);
    assert_eq!(count(&out.anomalies, codes::XML_NAMESPACE_UNDECLARED), 2);
    assert!(out.xml.contains(" android:label=\"L\""), "{}", out.xml);
    assert!(out.xml.contains("<ns0:x ns0:y=\"1\"/>"), "{}", out.xml);
}

#[test]
fn names_that_are_not_xml_names_are_replaced() {
    let elements = [
        ("", "_"),
        ("1x", "_1x"),
        ("a b", "a_b"),
        ("a<b", "a_b"),
        ("a:b", "a_b"),
        ("\u{1}x", "_x"),
        ("x\u{aa}", "x_"),
        ("x\u{ffff}", "x_"),
        ("-", "_-"),
        ("xmlns", "xmlns"),
        ("\u{e9}t\u{e9}", "\u{e9}t\u{e9}"),
    ];
    let attrs = vec![
        Attr::plain("", AttrValue::int(1)),
        Attr::plain("1", AttrValue::int(2)),
        Attr::plain("a b", AttrValue::int(3)),
        Attr::plain("p:q", AttrValue::int(4)),
        Attr::plain("xmlns", AttrValue::str("urn:not-a-declaration")),
        Attr::plain(">", AttrValue::int(5)),
        Attr::in_ns(ANDROID_NS, "xmlns", AttrValue::int(6)),
    ];
    let mut b = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start("manifest", attrs);
    for (name, _) in elements {
        b = b.start(name, vec![]).end(name);
    }
    let (_, out) = render(&b.end("manifest").build());
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let r = x.root_element();
    let names: Vec<&str> = r
        .children()
        .filter(roxmltree::Node::is_element)
        .map(|n| n.tag_name().name())
        .collect();
    let want: Vec<&str> = elements.iter().map(|(_, w)| *w).collect();
    assert_eq!(names, want, "{}", out.xml);
    let attrs: Vec<(Option<&str>, &str)> =
        r.attributes().map(|a| (a.namespace(), a.name())).collect();
    assert_eq!(
        attrs,
        [
            (None, "_"),
            (None, "_1"),
            (None, "a_b"),
            (None, "p_q"),
            (None, "_xmlns"),
            (None, "__2"),
            (Some(ANDROID_NS), "_xmlns"),
        ],
        "{}",
        out.xml
    );
    // Once per distinct name and kind: 9 element names, 6 attribute names.
    assert_eq!(
        count(&out.anomalies, codes::XML_NAME_REPLACED),
        15,
        "{:#?}",
        out.anomalies
    );
    assert_eq!(count(&out.anomalies, codes::XML_DUPLICATE_ATTRIBUTE), 1);
    let details: Vec<&str> = out.anomalies.iter().map(|a| a.detail.as_str()).collect();
    assert!(details.contains(
        &"element name \"\\u{1}x\" is not an XML name; written as \"_x\" (reported once per name)"
    ), "{details:#?}");
    assert!(details.contains(
        &"attribute name \"xmlns\" would read as a namespace declaration; written as \"_xmlns\" \
          (reported once per name)"
    ), "{details:#?}");
}

#[test]
fn duplicate_attributes_are_renamed() {
    let data = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("a")),
                Attr::plain("package", AttrValue::str("b")),
                Attr::plain("a b", AttrValue::int(1)),
                Attr::plain("a_b", AttrValue::int(2)),
                Attr::android("name", NAME, AttrValue::str("x")),
                Attr::android("name", NAME, AttrValue::str("y")),
                Attr::in_ns("", "k", AttrValue::int(3)),
                Attr::plain("k", AttrValue::int(4)),
                Attr::plain("dup", AttrValue::int(5)),
                Attr::plain("dup", AttrValue::int(6)),
                Attr::plain("dup_2", AttrValue::int(7)),
            ],
        )
        .end("manifest")
        .build();
    let (_, out) = render(&data);
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let got: Vec<(Option<&str>, &str, &str)> = x
        .root_element()
        .attributes()
        .map(|a| (a.namespace(), a.name(), a.value()))
        .collect();
    assert_eq!(
        got,
        [
            (None, "package", "a"),
            (None, "package_2", "b"),
            (None, "a_b", "1"),
            (None, "a_b_2", "2"),
            (Some(ANDROID_NS), "name", "x"),
            (Some(ANDROID_NS), "name_2", "y"),
            (None, "k", "3"),
            (None, "k_2", "4"),
            (None, "dup", "5"),
            (None, "dup_2", "6"),
            (None, "dup_2_2", "7"),
        ]
    );
    assert_eq!(count(&out.anomalies, codes::XML_DUPLICATE_ATTRIBUTE), 6);
    assert!(
        out.anomalies
            .iter()
            .any(|a| a.code == codes::XML_DUPLICATE_ATTRIBUTE
                && a.detail
                    == "attribute \"android:name\" appears again on <manifest> (same namespace \
                        and name); written as \"android:name_2\"")
    );
}

#[test]
fn characters_xml_cannot_carry_are_replaced() {
    let bad = "a\u{0}b\u{b}\u{c}\u{1f}\u{fffe}\u{ffff}]]><&\"'\u{10ffff}";
    let clean = "a\u{fffd}b\u{fffd}\u{fffd}\u{fffd}\u{fffd}\u{fffd}]]><&\"'\u{10ffff}";
    let mut data = AxmlBuilder::new()
        .start(
            "manifest",
            vec![
                Attr::plain("v", AttrValue::str(bad)),
                Attr::plain("s", AttrValue::str("S\u{e000}")),
            ],
        )
        .text(bad)
        .end("manifest")
        .build();
    // A lone surrogate in the UTF-16 pool: U+E000 patched to 0xD800.
    let at = data
        .windows(4)
        .position(|w| w == [b'S', 0, 0x00, 0xe0])
        .unwrap();
    data[at + 3] = 0xd8;
    let (doc, out) = render(&data);
    assert!(
        doc.anomalies
            .iter()
            .any(|a| a.code == codes::STRING_ENCODING)
    );
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    let r = x.root_element();
    assert_eq!(r.attribute("v"), Some(clean));
    assert_eq!(r.attribute("s"), Some("S\u{fffd}"));
    assert_eq!(r.text(), Some(clean));
    assert!(out.xml.contains("]]&gt;&lt;&amp;"), "{}", out.xml);
    assert_eq!(count(&out.anomalies, codes::XML_CHARACTER_REPLACED), 2);
    let d = &out.anomalies[0].detail;
    assert!(
        d.starts_with(
            "value of attribute v has characters XML 1.0 cannot carry (U+0000, U+000B, U+000C, \
             U+001F, U+FFFE, U+FFFF): \"a\\0b\\u{b}"
        ),
        "{d}"
    );
}

#[test]
fn a_document_without_root_gets_a_placeholder() {
    let doc = Document::default();
    let out = render_xml(&doc, None);
    check(&doc, &out);
    assert_eq!(count(&out.anomalies, codes::XML_NO_ROOT), 1);
    assert_eq!(
        out.xml,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<no-root-element/>"
    );
}

#[test]
fn hostile_nesting_still_gives_one_root() {
    let data = AxmlBuilder::new()
        .text("before")
        .end("nothing-open")
        .start("manifest", vec![])
        .start("a", vec![])
        .end("zzz")
        .text("in")
        .end("manifest")
        .start("second", vec![])
        .end("second")
        .text("after")
        .start("third", vec![])
        .build();
    let (doc, out) = render(&data);
    for code in [
        codes::TEXT_OUTSIDE_ROOT,
        codes::UNBALANCED_END_ELEMENT,
        codes::MISMATCHED_END_ELEMENT,
        codes::MULTIPLE_ROOTS,
    ] {
        assert!(doc.anomalies.iter().any(|a| a.code == code), "{code}");
    }
    let x = roxmltree::Document::parse(&out.xml).unwrap();
    assert_eq!(x.root_element().tag_name().name(), "manifest");
    assert_eq!(
        x.root()
            .children()
            .filter(roxmltree::Node::is_element)
            .count(),
        1
    );
}

/// The fuzz seed `manifest_hostile_names`: every kind of repair at once, in both encodings.
#[test]
fn a_manifest_with_every_repair_renders_well_formed() {
    for b in [AxmlBuilder::new(), AxmlBuilder::new().utf8()] {
        let (doc, out) = render(&hostile_names_manifest(b).build());
        let m = apkscope_axml::Manifest::from_document(&doc, None);
        assert_eq!(m.package.as_deref(), Some("com.example.hostile"));
        assert_eq!(m.version_code, Some(3));
        for code in [
            codes::XML_NAME_REPLACED,
            codes::XML_PREFIX_REPLACED,
            codes::XML_NAMESPACE_DROPPED,
            codes::XML_NAMESPACE_URI_REPLACED,
            codes::XML_NAMESPACE_UNDECLARED,
            codes::XML_DUPLICATE_ATTRIBUTE,
            codes::XML_CHARACTER_REPLACED,
        ] {
            assert!(
                count(&out.anomalies, code) > 0,
                "{code}: {:#?}",
                out.anomalies
            );
        }
        assert!(
            out.xml.contains("<application name=\".App\" label=\"L\">"),
            "{}",
            out.xml
        );
    }
}

#[test]
fn anomalies_are_capped_per_code() {
    let mut b = AxmlBuilder::new().start("manifest", vec![]);
    for i in 0..300 {
        let name = format!("{i}e");
        b = b.start(&name, vec![]).end(&name);
    }
    let (_, out) = render(&b.end("manifest").build());
    assert_eq!(count(&out.anomalies, codes::XML_NAME_REPLACED), 101);
    let last = out.anomalies.last().unwrap();
    assert_eq!(last.code, codes::XML_NAME_REPLACED);
    assert!(last.detail.starts_with("200 more"), "{}", last.detail);
}

/// splitmix64: a deterministic stream without the rand crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 for 0).
    fn below(&mut self, n: usize) -> usize {
        let n = u64::try_from(n).unwrap_or(u64::MAX);
        usize::try_from(self.next().checked_rem(n).unwrap_or(0)).unwrap_or(0)
    }

    /// A number below `n`, as a `u32`.
    fn below32(&mut self, n: usize) -> u32 {
        u32::try_from(self.below(n)).unwrap_or(u32::MAX)
    }

    fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        items
            .get(self.below(items.len()))
            .copied()
            .unwrap_or_default()
    }
}

fn rd16(data: &[u8], at: usize) -> usize {
    data.get(at..at + 2)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map_or(0, |b| usize::from(u16::from_le_bytes(b)))
}

fn rd32(data: &[u8], at: usize) -> usize {
    data.get(at..at + 4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map_or(0, |b| {
            usize::try_from(u32::from_le_bytes(b)).unwrap_or(usize::MAX)
        })
}

fn wr32(d: &mut [u8], o: usize, v: u32) {
    if let Some(f) = d.get_mut(o..o + 4) {
        f.copy_from_slice(&v.to_le_bytes());
    }
}

/// Where the interesting fields of a (well-formed) binary XML document are.
#[derive(Default)]
struct Layout {
    /// Absolute offset of each string's length prefix.
    strings: Vec<usize>,
    utf8: bool,
    /// Start and end of the string pool chunk.
    pool: (usize, usize),
    /// `(type, absolute offset of the node's extension)`.
    nodes: Vec<(usize, usize)>,
}

impl Layout {
    fn of(data: &[u8]) -> Layout {
        let mut layout = Layout::default();
        let mut pos = rd16(data, 2).max(8);
        while pos + 8 <= data.len() {
            let (ty, hs, size) = (rd16(data, pos), rd16(data, pos + 2), rd32(data, pos + 4));
            if size < 8 {
                break;
            }
            if ty == 0x0001 && layout.strings.is_empty() {
                let count = rd32(data, pos + 8).min(1 << 16);
                layout.utf8 = rd32(data, pos + 16) & 0x100 != 0;
                let strings = pos + rd32(data, pos + 20);
                layout.strings = (0..count)
                    .map(|i| strings + rd32(data, pos + hs + 4 * i))
                    .collect();
                layout.pool = (pos, (pos + size).min(data.len()));
            } else if (0x0100..=0x0104).contains(&ty) {
                layout.nodes.push((ty, pos + hs));
            }
            pos = pos.saturating_add(size);
        }
        layout
    }
}

/// UTF-16 code units and UTF-8 bytes that make names, prefixes, URIs or text hostile.
const HOSTILE_UNITS: &[u16] = &[
    0x0000, 0x0001, 0x000b, 0x001f, 0x0020, 0x003c, 0x003e, 0x003a, 0x0026, 0x0022, 0x0027, 0x0031,
    0x002d, 0x002e, 0x005d, 0xd800, 0xdc00, 0xfffe, 0xffff, 0x00aa, 0x00b7, 0x0300, 0xfffd, 0x0078,
];
const HOSTILE_BYTES: &[u8] = &[
    0x00, 0x01, 0x0b, 0x1f, b' ', b'<', b'>', b':', b'&', b'"', b'\'', b'1', b'-', b'.', b']',
    0x80, 0xc0, 0xff, b'x',
];

/// Applies 1–3 random mutations aimed at names, namespaces and text.
fn mutate(base: &[u8], layout: &Layout, rng: &mut Rng) -> Vec<u8> {
    let mut data = base.to_vec();
    let n_strings = layout.strings.len();
    for _ in 0..=rng.below(3) {
        // A string index: mostly a real one, sometimes none or one past the pool.
        let index = |rng: &mut Rng| match rng.below(8) {
            0 => u32::MAX,
            1 => u32::try_from(n_strings).unwrap_or(0) + rng.below32(4),
            _ => rng.below32(n_strings),
        };
        // The extension of a random node of one of `types`.
        let node = |rng: &mut Rng, types: &[usize]| {
            let exts: Vec<usize> = layout
                .nodes
                .iter()
                .filter(|(ty, _)| types.contains(ty))
                .map(|&(_, ext)| ext)
                .collect();
            exts.get(rng.below(exts.len())).copied()
        };
        match rng.below(8) {
            // A hostile character inside a string.
            0..=2 => {
                let Some(&at) = layout.strings.get(rng.below(n_strings)) else {
                    continue;
                };
                hostile_char(&mut data, at, layout.utf8, rng);
            }
            // A bit flip in the pool.
            3 => {
                let (start, end) = layout.pool;
                let at = start + rng.below(end.saturating_sub(start));
                let bit = 1 << rng.below(8);
                if let Some(b) = data.get_mut(at) {
                    *b ^= bit;
                }
            }
            // A namespace node's prefix or URI (start or end) pointing elsewhere.
            4 => {
                if let Some(ext) = node(rng, &[0x0100, 0x0101]) {
                    let v = index(rng);
                    wr32(&mut data, ext + 4 * rng.below(2), v);
                }
            }
            // An element's namespace or name (start or end).
            5 => {
                if let Some(ext) = node(rng, &[0x0102, 0x0103]) {
                    let v = index(rng);
                    wr32(&mut data, ext + 4 * rng.below(2), v);
                }
            }
            // An attribute's namespace or name: elsewhere, or a sibling's (a duplicate).
            6 => {
                let Some(ext) = node(rng, &[0x0102]) else {
                    continue;
                };
                let start = rd16(&data, ext + 8);
                let size = rd16(&data, ext + 10);
                let count = rd16(&data, ext + 12);
                if count == 0 || size == 0 {
                    continue;
                }
                let record = ext + start + size * rng.below(count);
                let field = 4 * rng.below(2);
                let v = if count > 1 && rng.below(2) == 0 {
                    let other = ext + start + size * rng.below(count);
                    u32::try_from(rd32(&data, other + field)).unwrap_or(u32::MAX)
                } else {
                    index(rng)
                };
                wr32(&mut data, record + field, v);
            }
            // Any byte.
            _ => {
                let at = rng.below(data.len());
                let v = u8::try_from(rng.below(256)).unwrap_or(0);
                if let Some(b) = data.get_mut(at) {
                    *b = v;
                }
            }
        }
    }
    data
}

/// Overwrites one character of the pool string whose length prefix is at `at` with a hostile
/// one (short strings only: their data starts 2 bytes in).
fn hostile_char(data: &mut [u8], at: usize, utf8: bool, rng: &mut Rng) {
    if utf8 {
        // UTF-16 length, then UTF-8 length, one byte each when below 0x80.
        let (l16, l8) = (data.get(at).copied(), data.get(at + 1).copied());
        if let (Some(l16), Some(len)) = (l16, l8)
            && l16 < 0x80
            && len < 0x80
            && len > 0
        {
            let v = rng.pick(HOSTILE_BYTES);
            if let Some(b) = data.get_mut(at + 2 + rng.below(usize::from(len))) {
                *b = v;
            }
        }
    } else {
        let len = rd16(data, at);
        if len > 0 && len < 0x8000 {
            let unit = rng.pick(HOSTILE_UNITS).to_le_bytes();
            let pos = at + 2 + 2 * rng.below(len);
            if let Some(f) = data.get_mut(pos..pos + 2) {
                f.copy_from_slice(&unit);
            }
        }
    }
}

/// Mutates each base `per_base` times; every document that decodes must render to XML that
/// roxmltree parses and that shows the document. Returns (decoded, repaired) counts.
fn mutate_all(bases: &[Vec<u8>], per_base: usize, seed: u64) -> (usize, usize) {
    let mut rng = Rng(seed);
    let (mut decoded, mut repaired) = (0, 0);
    for base in bases {
        let layout = Layout::of(base);
        for _ in 0..per_base {
            let data = mutate(base, &layout, &mut rng);
            let Ok(doc) = parse(&data) else { continue };
            let out = render_xml(&doc, None);
            check(&doc, &out);
            decoded += 1;
            if !out.anomalies.is_empty() {
                repaired += 1;
            }
        }
    }
    (decoded, repaired)
}

/// Documents built with the testkit: the sample manifest in both encodings, and one with
/// several namespaces, nested elements and text.
fn built_bases() -> Vec<Vec<u8>> {
    let rich = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .ns("app", "http://schemas.android.com/apk/res-auto")
        .ns("tools", "http://schemas.android.com/tools")
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("com.example.rich")),
                Attr::in_ns(
                    "http://schemas.android.com/apk/res-auto",
                    "x",
                    AttrValue::str("1"),
                ),
            ],
        )
        .start_in(
            "http://schemas.android.com/tools",
            "meta",
            vec![Attr::in_ns(
                "http://schemas.android.com/tools",
                "node",
                AttrValue::str("merge"),
            )],
        )
        .text("some text & more")
        .end_in("http://schemas.android.com/tools", "meta")
        .start(
            "application",
            vec![Attr::android("label", LABEL, AttrValue::str("Rich"))],
        )
        .start(
            "activity",
            vec![Attr::android("name", NAME, AttrValue::str(".A"))],
        )
        .end("activity")
        .end("application")
        .end("manifest")
        .end_ns("tools", "http://schemas.android.com/tools")
        .end_ns("app", "http://schemas.android.com/apk/res-auto")
        .end_ns("android", ANDROID_NS);
    vec![
        manifest(AxmlBuilder::new(), 30, AttrValue::str("My App"), None).build(),
        manifest(
            AxmlBuilder::new().utf8(),
            33,
            AttrValue::str("L"),
            Some(0x7f05_0000),
        )
        .build(),
        rich.clone().build(),
        rich.utf8().build(),
    ]
}

#[test]
fn mutated_built_manifests_render_well_formed() {
    let bases = built_bases();
    let (decoded, repaired) = mutate_all(&bases, 800, 0x5eed_0001);
    eprintln!(
        "mutated built manifests: {decoded} of {} decoded, rendered well-formed; {repaired} \
         needed repairs",
        bases.len() * 800
    );
    assert!(decoded > 2000 && repaired > 500, "{decoded} {repaired}");
}

fn shared() -> Option<std::path::PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if p.join("corpus/MANIFEST.tsv").is_file() {
        Some(p)
    } else {
        crate::skip::skip(&format!("{} not present", p.display()));
        None
    }
}

/// Every corpus manifest (and standalone binary XML file) renders well-formed; a sample of
/// them, mutated, too.
#[test]
fn corpus_manifests_render_well_formed_also_mutated() {
    /// Corpus manifests mutated (every standalone binary XML file, every `STEP`-th APK's
    /// manifest) and mutations of each.
    const STEP: usize = 12;
    const PER_MANIFEST: usize = 40;
    let Some(shared) = shared() else { return };
    let mut seen = std::collections::HashSet::new();
    let (mut rendered, mut with_anomalies, mut bases) = (0, 0, Vec::new());
    for (path, kind, sha) in crate::corpus::rows(&shared) {
        if !seen.insert(sha) {
            continue;
        }
        let file = shared.join("corpus").join(&path);
        let manifest = match kind.as_str() {
            "apk" => crate::corpus::entries(&file).map(|(m, _)| m),
            "axml" => std::fs::read(&file).ok(),
            _ => None,
        };
        let Some(manifest) = manifest else { continue };
        let Ok(doc) = parse(&manifest) else { continue };
        let out = render_xml(&doc, None);
        check(&doc, &out);
        rendered += 1;
        if !out.anomalies.is_empty() {
            with_anomalies += 1;
            let codes: Vec<&str> = out.anomalies.iter().map(|a| a.code).collect();
            eprintln!("{path}: repaired: {codes:?}");
        }
        if kind == "axml" || rendered % STEP == 0 {
            bases.push(manifest);
        }
    }
    let (decoded, repaired) = mutate_all(&bases, PER_MANIFEST, 0x5eed_0002);
    eprintln!(
        "corpus: {rendered} manifests rendered well-formed ({with_anomalies} with repairs); \
         {decoded} of {} mutations of {} manifests decoded and rendered well-formed \
         ({repaired} with repairs)",
        bases.len() * PER_MANIFEST,
        bases.len()
    );
    assert!(rendered > 0);
}
