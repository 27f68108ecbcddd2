//! Renders a [`Document`] as text XML (quick-xml), like `aapt dump xmltree` / apktool would.

use crate::ANDROID_NS;
use crate::arsc::ResourceTable;
use crate::value::Value;
use crate::xml::{Document, Element, Node};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Renders `doc` as indented text XML. References are written `@0x7f040001`.
pub fn to_xml(doc: &Document) -> String {
    to_xml_with(doc, None)
}

/// Renders `doc` as indented text XML, writing references the table knows as `@type/name`.
///
/// Namespace declarations go on the root element; element and attribute names that are not
/// valid XML names, and characters XML 1.0 cannot carry, are replaced so the output always
/// parses.
pub fn to_xml_with(doc: &Document, resources: Option<&ResourceTable>) -> String {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    if let Some(root) = &doc.root {
        let prefixes = Prefixes::collect(doc, root);
        write_tree(&mut w, root, &prefixes, resources);
    }
    String::from_utf8(w.into_inner()).unwrap_or_default()
}

/// Namespace URI → prefix.
struct Prefixes(BTreeMap<String, String>);

impl Prefixes {
    fn collect(doc: &Document, root: &Element) -> Self {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        let mut used: HashSet<String> = HashSet::new();
        for ns in &doc.namespaces {
            if let Some(p) = ns.prefix.as_deref().map(xml_name)
                && !p.is_empty()
                && !map.contains_key(&ns.uri)
                && !used.contains(&p)
            {
                used.insert(p.clone());
                map.insert(ns.uri.clone(), p);
            }
        }
        // Every namespace used by an element or attribute needs a prefix.
        let mut stack = vec![root];
        let mut n = 0usize;
        while let Some(el) = stack.pop() {
            let uris = el
                .namespace
                .iter()
                .chain(el.attributes.iter().filter_map(|a| a.namespace.as_ref()));
            for uri in uris {
                if uri.is_empty() || map.contains_key(uri) {
                    continue;
                }
                let p = if uri == ANDROID_NS && !used.contains("android") {
                    "android".to_owned()
                } else {
                    loop {
                        let p = format!("ns{n}");
                        n = n.saturating_add(1);
                        if !used.contains(&p) {
                            break p;
                        }
                    }
                };
                used.insert(p.clone());
                map.insert(uri.clone(), p);
            }
            stack.extend(el.elements());
        }
        Prefixes(map)
    }

    fn qualify(&self, ns: Option<&String>, name: &str) -> String {
        let local = xml_name(name);
        match ns.and_then(|u| self.0.get(u)) {
            Some(p) => format!("{p}:{local}"),
            None => local,
        }
    }
}

fn write_tree(w: &mut Writer<Vec<u8>>, root: &Element, px: &Prefixes, res: Option<&ResourceTable>) {
    // (element, index of the next child to write); explicit stack, no recursion.
    let mut stack: Vec<(&Element, usize)> = Vec::new();
    open(w, root, px, res, true);
    if root.children.is_empty() {
        return;
    }
    stack.push((root, 0));
    while let Some((el, i)) = stack.pop() {
        match el.children.get(i) {
            None => {
                let _ = w.write_event(Event::End(BytesEnd::new(
                    px.qualify(el.namespace.as_ref(), &el.name),
                )));
            }
            Some(child) => {
                stack.push((el, i.saturating_add(1)));
                match child {
                    Node::Text(t) => {
                        let _ = w.write_event(Event::Text(BytesText::new(&clean_text(&t.text))));
                    }
                    Node::Element(c) => {
                        open(w, c, px, res, false);
                        if !c.children.is_empty() {
                            stack.push((c, 0));
                        }
                    }
                }
            }
        }
    }
}

fn open(
    w: &mut Writer<Vec<u8>>,
    el: &Element,
    px: &Prefixes,
    res: Option<&ResourceTable>,
    root: bool,
) {
    let name = px.qualify(el.namespace.as_ref(), &el.name);
    let mut start = BytesStart::new(name.as_str());
    let mut seen: HashSet<String> = HashSet::new();
    // Next suffix to try per repeated name: renaming stays linear in the attribute count.
    let mut next_suffix: HashMap<String, usize> = HashMap::new();
    if root {
        for (uri, p) in &px.0 {
            let k = format!("xmlns:{p}");
            seen.insert(k.clone());
            start.push_attribute((k.as_str(), clean_text(uri).as_str()));
        }
    }
    for a in &el.attributes {
        let mut k = px.qualify(a.namespace.as_ref(), &a.name);
        if seen.contains(&k) {
            let mut n = next_suffix.get(&k).copied().unwrap_or(2);
            while seen.contains(&format!("{k}_{n}")) {
                n = n.saturating_add(1);
            }
            next_suffix.insert(k.clone(), n.saturating_add(1));
            k = format!("{k}_{n}");
        }
        seen.insert(k.clone());
        let v = render_value(&a.value, a.raw_value.as_deref(), res);
        start.push_attribute((k.as_str(), clean_text(&v).as_str()));
    }
    let ev = if el.children.is_empty() {
        Event::Empty(start)
    } else {
        Event::Start(start)
    };
    let _ = w.write_event(ev);
}

/// Renders a value: references through the table when it knows them.
fn render_value(v: &Value, raw: Option<&str>, res: Option<&ResourceTable>) -> String {
    match v {
        Value::Reference(id) | Value::DynamicReference(id) => res
            .and_then(|r| r.name(*id))
            .unwrap_or_else(|| v.to_string()),
        Value::Null => raw.unwrap_or_default().to_owned(),
        _ => v.to_string(),
    }
}

/// Makes `s` a valid XML name (letters, digits, `_ - .`; not starting with a digit, `-`, `.`).
fn xml_name(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out
        .chars()
        .next()
        .is_none_or(|c| !(c.is_alphabetic() || c == '_'))
    {
        out.insert(0, '_');
    }
    out
}

/// Replaces characters XML 1.0 cannot carry with U+FFFD.
fn clean_text(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}
