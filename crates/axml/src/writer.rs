//! Renders a [`Document`] as text XML (quick-xml), like `aapt dump xmltree` / apktool would.
//!
//! The output is always well-formed XML 1.0 with Namespaces, whatever the binary document
//! holds: a binary XML string can be anything, and Android looks at attributes by resource ID,
//! so hostile files carry names, prefixes and text that no XML parser accepts. Each repair is
//! reported as an [`Anomaly`] (codes `xml_*` in [`codes`]) whose detail shows the original and
//! what was written instead:
//!
//! * every namespace is declared once, on the root element, with a prefix unique in the
//!   document (so no prefix is declared twice on one element, and every prefix is in scope);
//!   an empty, reserved (`xml`, `xmlns`), invalid or already used prefix is sanitised or
//!   replaced by a generated `nsN` ([`codes::XML_PREFIX_REPLACED`]), a declaration with an
//!   empty URI is dropped ([`codes::XML_NAMESPACE_DROPPED`]), a URI that cannot be written as it
//!   is is made writable and unique ([`codes::XML_NAMESPACE_URI_REPLACED`]), a namespace used
//!   but never declared is declared ([`codes::XML_NAMESPACE_UNDECLARED`]);
//! * element and attribute names that are not `NCName`s are sanitised
//!   ([`codes::XML_NAME_REPLACED`]); attributes with the same expanded name on one element
//!   are renamed ([`codes::XML_DUPLICATE_ATTRIBUTE`]);
//! * characters XML 1.0 cannot carry (not even as character references) in text, attribute
//!   values and URIs become U+FFFD ([`codes::XML_CHARACTER_REPLACED`]); markup characters are
//!   escaped (`]]>` cannot appear: `>` is always written `&gt;`), and so are the tab, newline
//!   and carriage return of attribute values and the carriage return of text, which a parser
//!   would otherwise read back as spaces or newlines (two namespace URIs differing only there
//!   would even become one);
//! * there is exactly one root element: the decoder already drops extra roots and text outside
//!   the root, and closes what a hostile chunk stream leaves open; end tags come from the tree,
//!   so they always match. A document without a root gets an empty placeholder
//!   ([`codes::XML_NO_ROOT`]).
//!
//! Documents aapt and aapt2 write render without anomalies, and as they always did (except for
//! the character references above). The rendering is deterministic: the same document gives
//! the same bytes.

use crate::arsc::ResourceTable;
use crate::value::Value;
use crate::xml::{Document, Element, Node};
use crate::{ANDROID_NS, Anomaly, codes};
use quick_xml::Writer;
use quick_xml::events::attributes::Attribute;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::QName;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;

/// The XML namespace: bound to the prefix `xml` by definition, and only to it (Namespaces in
/// XML 1.0, §3).
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of `xmlns` declarations: it must not be declared (Namespaces in XML 1.0, §3).
const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
/// The element written for a document without a root element.
const NO_ROOT: &str = "no-root-element";
/// Anomalies of one code reported one by one; beyond this, one more anomaly counts the rest
/// (a hostile document can have a million bad names).
const MAX_REPORTED_PER_CODE: usize = 100;
/// Characters of an original string quoted in an anomaly's detail.
const PREVIEW_CHARS: usize = 120;
/// Distinct invalid characters listed in an anomaly's detail.
const MAX_LISTED_CHARS: usize = 8;

/// Text XML and what was changed to keep it well-formed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderedXml {
    /// The text XML (UTF-8, with an XML declaration).
    pub xml: String,
    /// Every repair made for well-formedness (codes `xml_*` in [`codes`]), in a stable order;
    /// empty for a well-formed document.
    pub anomalies: Vec<Anomaly>,
}

/// Renders `doc` as indented text XML. References are written `@0x7f040001`.
pub fn to_xml(doc: &Document) -> String {
    render_xml(doc, None).xml
}

/// Renders `doc` as indented text XML, writing references the table knows as `@type/name`.
///
/// Namespace declarations go on the root element; names, prefixes and characters that XML
/// cannot carry are replaced so the output always parses. [`render_xml`] also says what was
/// replaced.
pub fn to_xml_with(doc: &Document, resources: Option<&ResourceTable>) -> String {
    render_xml(doc, resources).xml
}

/// Renders `doc` as [`to_xml_with`] does, and reports each repair made to keep the output
/// well-formed XML 1.0 with Namespaces as an [`Anomaly`] whose detail quotes the original.
pub fn render_xml(doc: &Document, resources: Option<&ResourceTable>) -> RenderedXml {
    let mut cx = Cx {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
        ns: Namespaces::default(),
        res: resources,
        rep: Report::default(),
        names_reported: HashSet::new(),
    };
    let _ =
        cx.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)));
    if let Some(root) = &doc.root {
        cx.ns = Namespaces::collect(doc, root, &mut cx.rep);
        cx.write_tree(root);
    } else {
        cx.rep.push(codes::XML_NO_ROOT, None, || {
            format!("the document has no root element; written as an empty <{NO_ROOT}/>")
        });
        let _ = cx.w.write_event(Event::Empty(BytesStart::new(NO_ROOT)));
    }
    RenderedXml {
        xml: String::from_utf8(cx.w.into_inner()).unwrap_or_default(),
        anomalies: cx.rep.finish(),
    }
}

/// Collects anomalies, at most [`MAX_REPORTED_PER_CODE`] of each code.
#[derive(Default)]
struct Report {
    anomalies: Vec<Anomaly>,
    counts: BTreeMap<&'static str, usize>,
}

impl Report {
    /// Reports `code`; `detail` is only built for anomalies that are listed.
    fn push(&mut self, code: &'static str, offset: Option<u64>, detail: impl FnOnce() -> String) {
        let n = self.counts.entry(code).or_default();
        *n = n.saturating_add(1);
        if *n <= MAX_REPORTED_PER_CODE {
            self.anomalies.push(Anomaly::new(code, offset, detail()));
        }
    }

    fn finish(mut self) -> Vec<Anomaly> {
        for (code, n) in self.counts {
            if n > MAX_REPORTED_PER_CODE {
                self.anomalies.push(Anomaly::new(
                    code,
                    None,
                    format!(
                        "{} more `{code}` repairs not listed (the first {MAX_REPORTED_PER_CODE} \
                         are)",
                        n.saturating_sub(MAX_REPORTED_PER_CODE)
                    ),
                ));
            }
        }
        self.anomalies
    }
}

/// How a namespace is written.
#[derive(Debug)]
struct Binding {
    /// The URI as written (the source URI unless it could not be written as it is).
    uri: String,
    /// The prefix, unique in the document.
    prefix: String,
}

/// Namespace URI (as in the document) → how it is written. Every namespace is declared on the
/// root element, so prefixes and written URIs are unique document-wide: a prefixed name then
/// stands for exactly one namespace, and two attributes have the same expanded name exactly
/// when they have the same qualified name.
#[derive(Default)]
struct Namespaces {
    /// In source-URI order: the order declarations are written in.
    by_uri: BTreeMap<String, Binding>,
    /// The namespace written for elements in the XML namespace: `xml:` is for attributes
    /// (`xml:lang`), and strict parsers reject it on elements.
    xml_elements: Option<Binding>,
    prefixes: HashSet<String>,
    uris: HashSet<String>,
    /// Next `#n` suffix to try per base URI, so renaming stays linear.
    next_uri_suffix: HashMap<String, usize>,
    /// Next generated prefix number.
    next_prefix: usize,
}

impl Namespaces {
    fn collect(doc: &Document, root: &Element, rep: &mut Report) -> Self {
        let mut ns = Namespaces::default();
        ns.declare(doc, rep);
        ns.declare_used(root, rep);
        ns
    }

    /// Binds the document's declarations, in document order.
    fn declare(&mut self, doc: &Document, rep: &mut Report) {
        let ns = self;
        // Declarations whose prefix cannot be kept get a generated prefix once every keepable
        // prefix is taken (so a generated one never steals a declared one): (decl, why).
        let mut pending = Vec::new();
        // Prefixes of dropped declarations, reported once each.
        let mut dropped = HashSet::new();
        for d in &doc.namespaces {
            if d.uri.is_empty() {
                if dropped.insert(d.prefix.as_deref()) {
                    rep.push(codes::XML_NAMESPACE_DROPPED, Some(d.offset), || {
                        format!(
                            "namespace declaration with prefix {} and an empty URI \
                             (`xmlns:p=\"\"` is not allowed in XML 1.0 Namespaces); dropped, \
                             names in it are written without a prefix",
                            preview_opt(d.prefix.as_deref())
                        )
                    });
                }
                continue;
            }
            if ns.by_uri.contains_key(&d.uri) {
                continue;
            }
            if d.uri == XML_NS {
                if d.prefix.as_deref() != Some("xml") {
                    rep.push(codes::XML_PREFIX_REPLACED, Some(d.offset), || {
                        format!(
                            "prefix {} for the XML namespace, which only `xml` may name; \
                             written as \"xml\"",
                            preview_opt(d.prefix.as_deref())
                        )
                    });
                }
                ns.bind(&d.uri, "xml".to_owned(), Some(d.offset), rep);
                continue;
            }
            let Some(p) = d.prefix.as_deref() else {
                pending.push((
                    d,
                    "namespace declaration without a prefix string".to_owned(),
                ));
                continue;
            };
            let clean = ncname(p);
            if clean == "xml" || clean == "xmlns" {
                pending.push((d, format!("reserved prefix {}", preview(p))));
            } else if ns.prefixes.contains(clean.as_ref()) {
                pending.push((
                    d,
                    format!(
                        "prefix {} already names another namespace (all declarations are \
                         written on the root element)",
                        preview(p)
                    ),
                ));
            } else {
                if clean != p {
                    rep.push(codes::XML_PREFIX_REPLACED, Some(d.offset), || {
                        format!(
                            "prefix {} is not an XML name; written as {}",
                            preview(p),
                            preview(&clean)
                        )
                    });
                }
                ns.bind(&d.uri, clean.into_owned(), Some(d.offset), rep);
            }
        }
        for (d, why) in pending {
            if ns.by_uri.contains_key(&d.uri) {
                continue;
            }
            let p = ns.generated_prefix();
            rep.push(codes::XML_PREFIX_REPLACED, Some(d.offset), || {
                format!(
                    "{why}; namespace {} written with prefix {}",
                    preview(&d.uri),
                    preview(&p)
                )
            });
            ns.bind(&d.uri, p, Some(d.offset), rep);
        }
    }

    /// Binds the namespaces used by elements and attributes that no declaration binds.
    fn declare_used(&mut self, root: &Element, rep: &mut Report) {
        let ns = self;
        let mut stack = vec![root];
        while let Some(el) = stack.pop() {
            if el.namespace.as_deref() == Some(XML_NS) && ns.xml_elements.is_none() {
                let p = ns.generated_prefix();
                let b = ns.binding(XML_NS, p, Some(el.offset), true, rep);
                ns.xml_elements = Some(b);
            }
            let element_ns = el.namespace.as_ref().filter(|u| *u != XML_NS);
            let uris = std::iter::once((element_ns, el.offset)).chain(
                el.attributes
                    .iter()
                    .map(|a| (a.namespace.as_ref(), a.offset)),
            );
            for (uri, offset) in uris {
                let Some(uri) = uri else { continue };
                if uri.is_empty() || ns.by_uri.contains_key(uri) {
                    continue;
                }
                if uri == XML_NS {
                    // Bound to `xml` by definition: no declaration needed.
                    ns.bind(uri, "xml".to_owned(), Some(offset), rep);
                    continue;
                }
                let p = if uri == ANDROID_NS && !ns.prefixes.contains("android") {
                    "android".to_owned()
                } else {
                    ns.generated_prefix()
                };
                rep.push(codes::XML_NAMESPACE_UNDECLARED, Some(offset), || {
                    format!(
                        "namespace {} is used but never declared; declared on the root element \
                         with prefix {}",
                        preview(uri),
                        preview(&p)
                    )
                });
                ns.bind(uri, p, Some(offset), rep);
            }
            stack.extend(el.elements());
        }
    }

    /// The next `nsN` not otherwise used.
    fn generated_prefix(&mut self) -> String {
        loop {
            let p = format!("ns{}", self.next_prefix);
            self.next_prefix = self.next_prefix.saturating_add(1);
            if !self.prefixes.contains(&p) {
                return p;
            }
        }
    }

    /// Binds the source `uri` to `prefix`, choosing how the URI is written.
    fn bind(&mut self, uri: &str, prefix: String, offset: Option<u64>, rep: &mut Report) {
        let b = self.binding(uri, prefix, offset, false, rep);
        self.by_uri.insert(uri.to_owned(), b);
    }

    /// How the source `uri` is written with `prefix` (taken, with the written URI). With
    /// `xml_element`, `uri` is the XML namespace of an element and is written under another
    /// URI.
    fn binding(
        &mut self,
        uri: &str,
        prefix: String,
        offset: Option<u64>,
        xml_element: bool,
        rep: &mut Report,
    ) -> Binding {
        let clean = clean_chars(uri);
        let mut out = clean.to_string();
        if out == XMLNS_NS || xml_element || self.uris.contains(&out) {
            let next = self.next_uri_suffix.entry(clean.to_string()).or_insert(2);
            loop {
                out = format!("{clean}#{next}");
                *next = next.saturating_add(1);
                if !self.uris.contains(&out) {
                    break;
                }
            }
        }
        if out != uri {
            let mut why = Vec::new();
            if clean != uri {
                why.push(format!(
                    "has characters XML 1.0 cannot carry ({})",
                    invalid_chars(uri)
                ));
            }
            if clean == XMLNS_NS {
                why.push("is the reserved xmlns namespace, which must not be declared".to_owned());
            } else if xml_element {
                why.push(
                    "is the XML namespace, whose prefix `xml` strict parsers reject on elements"
                        .to_owned(),
                );
            } else if out != clean {
                why.push("would be the same as another namespace's".to_owned());
            }
            rep.push(codes::XML_NAMESPACE_URI_REPLACED, offset, || {
                format!(
                    "namespace URI {} {}; written as {}",
                    preview(uri),
                    why.join(" and "),
                    preview(&out)
                )
            });
        }
        self.prefixes.insert(prefix.clone());
        self.uris.insert(out.clone());
        Binding { uri: out, prefix }
    }

    /// The prefix of namespace `uri` for an element or attribute; `None` for no namespace
    /// (absent or empty URI).
    fn prefix(&self, uri: Option<&String>, kind: NameKind) -> Option<&str> {
        let uri = uri?;
        let b = if kind == NameKind::Element && uri == XML_NS {
            self.xml_elements.as_ref()
        } else {
            self.by_uri.get(uri)
        };
        b.map(|b| b.prefix.as_str())
    }

    /// Every binding, in the order the declarations are written.
    fn bindings(&self) -> impl Iterator<Item = &Binding> {
        self.by_uri.values().chain(&self.xml_elements)
    }
}

/// What a name belongs to, for anomaly details.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum NameKind {
    Element,
    Attribute,
}

/// The rendering state.
struct Cx<'r> {
    w: Writer<Vec<u8>>,
    ns: Namespaces,
    res: Option<&'r ResourceTable>,
    rep: Report,
    /// Replaced names already reported (once per distinct name).
    names_reported: HashSet<(NameKind, String)>,
}

impl Cx<'_> {
    fn write_tree(&mut self, root: &Element) {
        // (element, its written name, index of the next child to write); explicit stack, no
        // recursion.
        let mut stack: Vec<(&Element, String, usize)> = Vec::new();
        let name = self.open(root, true);
        if root.children.is_empty() {
            return;
        }
        stack.push((root, name, 0));
        while let Some((el, name, i)) = stack.pop() {
            match el.children.get(i) {
                None => {
                    let _ = self.w.write_event(Event::End(BytesEnd::new(name)));
                }
                Some(child) => {
                    stack.push((el, name, i.saturating_add(1)));
                    match child {
                        Node::Text(t) => {
                            let text = self.clean(&t.text, Some(t.offset), || "text".to_owned());
                            let text = BytesText::from_escaped(escape(&text, false));
                            let _ = self.w.write_event(Event::Text(text));
                        }
                        Node::Element(c) => {
                            let name = self.open(c, false);
                            if !c.children.is_empty() {
                                stack.push((c, name, 0));
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the start (or empty) tag of `el`; returns its written name.
    fn open(&mut self, el: &Element, root: bool) -> String {
        let local = self.local_name(NameKind::Element, &el.name, el.offset);
        let name = qualify(
            self.ns.prefix(el.namespace.as_ref(), NameKind::Element),
            &local,
        );
        let mut start = BytesStart::new(name.as_str());
        let mut seen: HashSet<String> = HashSet::new();
        // Next suffix to try per repeated name: renaming stays linear in the attribute count.
        let mut next_suffix: HashMap<String, usize> = HashMap::new();
        if root {
            for b in self.ns.bindings() {
                let k = format!("xmlns:{}", b.prefix);
                push_attribute(&mut start, &k, &b.uri);
                seen.insert(k);
            }
        }
        for a in &el.attributes {
            let local = self.local_name(NameKind::Attribute, &a.name, a.offset);
            let mut k = qualify(
                self.ns.prefix(a.namespace.as_ref(), NameKind::Attribute),
                &local,
            );
            if seen.contains(&k) {
                let n = next_suffix.entry(k.clone()).or_insert(2);
                let mut renamed = format!("{k}_{n}");
                while seen.contains(&renamed) {
                    *n = n.saturating_add(1);
                    renamed = format!("{k}_{n}");
                }
                *n = n.saturating_add(1);
                self.rep
                    .push(codes::XML_DUPLICATE_ATTRIBUTE, Some(a.offset), || {
                        format!(
                            "attribute {} appears again on <{name}> (same namespace and name{}); \
                         written as {}",
                            preview(&k),
                            if local == a.name {
                                String::new()
                            } else {
                                format!(", name in the file {}", preview(&a.name))
                            },
                            preview(&renamed)
                        )
                    });
                k = renamed;
            }
            let v = render_value(&a.value, a.raw_value.as_deref(), self.res);
            let v = self.clean(&v, Some(a.offset), || format!("value of attribute {k}"));
            push_attribute(&mut start, &k, &v);
            seen.insert(k);
        }
        let ev = if el.children.is_empty() {
            Event::Empty(start)
        } else {
            Event::Start(start)
        };
        let _ = self.w.write_event(ev);
        name
    }

    /// `name` as an `NCName` that cannot be mistaken for a namespace declaration.
    fn local_name<'n>(&mut self, kind: NameKind, name: &'n str, offset: u64) -> Cow<'n, str> {
        let mut out = ncname(name);
        // `xmlns` as an attribute's local name reads as a namespace declaration (some parsers
        // take `p:xmlns` for one too).
        if kind == NameKind::Attribute && out == "xmlns" {
            out = Cow::Owned("_xmlns".to_owned());
        }
        if out != name && self.names_reported.insert((kind, name.to_owned())) {
            self.rep.push(codes::XML_NAME_REPLACED, Some(offset), || {
                let what = match kind {
                    NameKind::Element => "element",
                    NameKind::Attribute => "attribute",
                };
                let why = if name == "xmlns" {
                    "would read as a namespace declaration"
                } else {
                    "is not an XML name"
                };
                format!(
                    "{what} name {} {why}; written as {} (reported once per name)",
                    preview(name),
                    preview(&out)
                )
            });
        }
        out
    }

    /// `s` with characters XML 1.0 cannot carry replaced by U+FFFD, reported as `what`.
    fn clean<'s>(
        &mut self,
        s: &'s str,
        offset: Option<u64>,
        what: impl FnOnce() -> String,
    ) -> Cow<'s, str> {
        let out = clean_chars(s);
        if let Cow::Owned(o) = &out {
            self.rep.push(codes::XML_CHARACTER_REPLACED, offset, || {
                format!(
                    "{} has characters XML 1.0 cannot carry ({}): {}; written as {}",
                    what(),
                    invalid_chars(s),
                    preview(s),
                    preview(o)
                )
            });
        }
        out
    }
}

/// Adds `key="value"`, escaping `value` for an attribute.
fn push_attribute(start: &mut BytesStart<'_>, key: &str, value: &str) {
    start.push_attribute(Attribute {
        key: QName(key.as_bytes()),
        value: match escape(value, true) {
            Cow::Borrowed(v) => Cow::Borrowed(v.as_bytes()),
            Cow::Owned(v) => Cow::Owned(v.into_bytes()),
        },
    });
}

/// Escapes markup characters as quick-xml's `escape` does (`<`, `>`, `&`, `'`, `"`; so `]]>`
/// never appears), and the characters a parser would not read back as they are: a carriage
/// return (line ends become `\n`, XML 1.0 §2.11) and, in an attribute value, a tab or newline
/// too (they become spaces, §3.3.3).
fn escape(s: &str, attribute: bool) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '<' | '>' | '&' | '\'' | '"' | '\r') || (attribute && matches!(c, '\t' | '\n'))
    };
    if !s.contains(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(16));
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\'' => out.push_str("&apos;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' if attribute => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn qualify(prefix: Option<&str>, local: &str) -> String {
    match prefix {
        Some(p) => format!("{p}:{local}"),
        None => local.to_owned(),
    }
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

/// XML 1.0 `NameStartChar` without `:` (an `NCName` start, XML 1.0 5th edition §2.3).
fn is_name_start(c: char) -> bool {
    matches!(c,
        'A'..='Z'
        | '_'
        | 'a'..='z'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}'
        | '\u{10000}'..='\u{EFFFF}')
}

/// XML 1.0 `NameChar` without `:`.
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// `s` as an `NCName` (Namespaces in XML 1.0 §3): characters a name cannot hold become `_`,
/// and `_` goes in front of a first character a name cannot start with (or of nothing).
fn ncname(s: &str) -> Cow<'_, str> {
    let mut chars = s.chars();
    if chars.next().is_some_and(is_name_start) && chars.all(is_name_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(1));
    // A first character that may continue a name but not start it (a digit, `-`, `.`) is
    // kept after a `_`; one that is no name character at all becomes the `_` itself.
    if s.chars()
        .next()
        .is_some_and(|c| !is_name_start(c) && is_name_char(c))
    {
        out.push('_');
    }
    out.extend(s.chars().map(|c| if is_name_char(c) { c } else { '_' }));
    if out.is_empty() {
        out.push('_');
    }
    Cow::Owned(out)
}

/// XML 1.0 `Char` (§2.2).
fn is_xml_char(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` with characters XML 1.0 cannot carry replaced by U+FFFD.
fn clean_chars(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_xml_char) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(
            s.chars()
                .map(|c| if is_xml_char(c) { c } else { '\u{fffd}' })
                .collect(),
        )
    }
}

/// The distinct characters of `s` XML cannot carry, as `U+0001, U+FFFE`.
fn invalid_chars(s: &str) -> String {
    let mut seen: Vec<char> = Vec::new();
    let mut more = false;
    for c in s.chars().filter(|&c| !is_xml_char(c)) {
        if seen.contains(&c) {
            continue;
        }
        if seen.len() >= MAX_LISTED_CHARS {
            more = true;
            break;
        }
        seen.push(c);
    }
    let mut out = String::new();
    for c in seen {
        if !out.is_empty() {
            out.push_str(", ");
        }
        let _ = write!(out, "U+{:04X}", u32::from(c));
    }
    if more {
        out.push_str(", …");
    }
    out
}

/// `s` quoted with Rust escapes (control characters show as `\u{1}`), cut after
/// [`PREVIEW_CHARS`] characters.
fn preview(s: &str) -> String {
    let count = s.chars().count();
    if count <= PREVIEW_CHARS {
        format!("{s:?}")
    } else {
        let head: String = s.chars().take(PREVIEW_CHARS).collect();
        format!("{head:?}… ({count} characters)")
    }
}

fn preview_opt(s: Option<&str>) -> String {
    s.map_or_else(|| "(none)".to_owned(), preview)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ncname_rules() {
        assert_eq!(ncname("manifest"), "manifest");
        assert_eq!(ncname("bad name!"), "bad_name_");
        assert_eq!(ncname(""), "_");
        assert_eq!(ncname("1a"), "_1a");
        assert_eq!(ncname("-a"), "_-a");
        assert_eq!(ncname("!a"), "_a");
        assert_eq!(ncname("a:b"), "a_b");
        assert_eq!(ncname(":"), "_");
        assert_eq!(ncname("\u{1}"), "_");
        // U+00AA is a letter to Rust but not an XML name character.
        assert_eq!(ncname("a\u{aa}"), "a_");
        assert_eq!(ncname("\u{b7}x"), "_\u{b7}x");
        assert_eq!(ncname("\u{e9}t\u{e9}"), "\u{e9}t\u{e9}");
    }

    #[test]
    fn chars_and_previews() {
        assert_eq!(clean_chars("a\u{0}b\u{fffe}\t"), "a\u{fffd}b\u{fffd}\t");
        assert!(matches!(clean_chars("ok\u{10000}"), Cow::Borrowed(_)));
        assert_eq!(invalid_chars("\u{1}\u{1}\u{ffff}"), "U+0001, U+FFFF");
        assert_eq!(preview("a\u{1}"), "\"a\\u{1}\"");
        assert!(preview(&"x".repeat(500)).ends_with("… (500 characters)"));
    }
}
