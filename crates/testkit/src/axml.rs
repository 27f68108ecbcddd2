//! Builders for Android binary XML (AXML) and `resources.arsc` test inputs, with knobs for
//! the hostile tricks seen in malware (wrong magic, bogus chunk/header sizes, unknown chunks,
//! attribute names hidden behind resource IDs, out-of-range string indexes).

/// The Android resource namespace URI.
pub const ANDROID_NS: &str = "http://schemas.android.com/apk/res/android";

/// `Res_value` type codes used by the builders.
pub mod types {
    /// `TYPE_REFERENCE`.
    pub const REFERENCE: u8 = 0x01;
    /// `TYPE_STRING`.
    pub const STRING: u8 = 0x03;
    /// `TYPE_INT_DEC`.
    pub const INT_DEC: u8 = 0x10;
    /// `TYPE_INT_HEX`.
    pub const INT_HEX: u8 = 0x11;
    /// `TYPE_INT_BOOLEAN`.
    pub const BOOLEAN: u8 = 0x12;
}

/// An attribute value.
#[derive(Debug, Clone)]
pub enum AttrValue {
    /// A string (raw value and typed value both point at it).
    Str(String),
    /// A typed value with no raw string.
    Typed {
        /// `Res_value::dataType`.
        data_type: u8,
        /// `Res_value::data`.
        data: u32,
    },
    /// A string-typed value whose raw and data index is this (possibly out-of-range) index.
    StrIndex(u32),
}

impl AttrValue {
    /// A string.
    pub fn str(s: &str) -> Self {
        AttrValue::Str(s.to_owned())
    }
    /// A decimal integer.
    pub fn int(v: i32) -> Self {
        AttrValue::Typed {
            data_type: types::INT_DEC,
            data: v.cast_unsigned(),
        }
    }
    /// A hex integer.
    pub fn hex(v: u32) -> Self {
        AttrValue::Typed {
            data_type: types::INT_HEX,
            data: v,
        }
    }
    /// A boolean (`true` is stored as `0xffffffff`, as aapt does).
    pub fn boolean(b: bool) -> Self {
        AttrValue::Typed {
            data_type: types::BOOLEAN,
            data: if b { u32::MAX } else { 0 },
        }
    }
    /// A resource reference.
    pub fn reference(id: u32) -> Self {
        AttrValue::Typed {
            data_type: types::REFERENCE,
            data: id,
        }
    }
}

/// An attribute.
#[derive(Debug, Clone)]
pub struct Attr {
    /// Namespace URI.
    pub ns: Option<String>,
    /// Name string (may be empty or a decoy: see `res_id`).
    pub name: String,
    /// Resource ID placed in the resource map for the name string.
    pub res_id: Option<u32>,
    /// Value.
    pub value: AttrValue,
    /// Overrides the name's string index (e.g. out of range).
    pub name_index: Option<u32>,
}

impl Attr {
    /// `android:name` with its framework resource ID.
    pub fn android(name: &str, res_id: u32, value: AttrValue) -> Self {
        Attr {
            ns: Some(ANDROID_NS.to_owned()),
            name: name.to_owned(),
            res_id: Some(res_id),
            value,
            name_index: None,
        }
    }
    /// An attribute without namespace or resource ID (`package`).
    pub fn plain(name: &str, value: AttrValue) -> Self {
        Attr {
            ns: None,
            name: name.to_owned(),
            res_id: None,
            value,
            name_index: None,
        }
    }
    /// An attribute in namespace `ns` (any string, even empty), without resource ID.
    pub fn in_ns(ns: &str, name: &str, value: AttrValue) -> Self {
        Attr {
            ns: Some(ns.to_owned()),
            name: name.to_owned(),
            res_id: None,
            value,
            name_index: None,
        }
    }
    /// Drops the namespace.
    #[must_use]
    pub fn without_ns(mut self) -> Self {
        self.ns = None;
        self
    }
    /// Forces the name's string index.
    #[must_use]
    pub fn with_name_index(mut self, idx: u32) -> Self {
        self.name_index = Some(idx);
        self
    }
}

/// One event of the document.
#[derive(Debug, Clone)]
enum Ev {
    /// Prefix (`None`: no string, index `0xFFFFFFFF`) and URI.
    StartNs(Option<String>, String),
    EndNs(Option<String>, String),
    /// Namespace, name, attributes, and an optional decoy (name, attributes) hidden in an
    /// enlarged header.
    Start(
        Option<String>,
        String,
        Vec<Attr>,
        Option<(String, Vec<Attr>)>,
    ),
    End(Option<String>, String),
    Text(String),
    Raw(Vec<u8>),
}

/// Knobs for malformed output. Defaults produce a well-formed file.
#[derive(Debug, Clone, Default)]
pub struct Knobs {
    /// First chunk type (default `RES_XML_TYPE` 3).
    pub file_type: Option<u16>,
    /// First chunk header size (default 8).
    pub file_header_size: Option<u16>,
    /// First chunk total size (default: the real size).
    pub file_size: Option<u32>,
    /// String pool header size field (layout stays standard).
    pub pool_header_size: Option<u16>,
    /// String pool `stringCount` field.
    pub pool_string_count: Option<u32>,
    /// Header size field of every node chunk (layout unchanged).
    pub node_header_size: Option<u16>,
    /// Bytes inserted after the document's 8-byte header and counted in its `headerSize` (a
    /// valid enlarged header: Android reads the first chunk after them).
    pub file_header_pad: Vec<u8>,
    /// Bytes inserted after the string pool's 28-byte header and counted in its `headerSize`
    /// (`stringsStart` moves with them): a valid enlarged header.
    pub pool_header_pad: Vec<u8>,
    /// Put a decoy string-offsets array (the real one reversed) at the start of the pool
    /// header's padding: a tool assuming a 28-byte header resolves index `i` to string
    /// `n-1-i`, Android to string `i`.
    pub pool_decoy_offsets: bool,
    /// Bytes inserted after every node's 16-byte header and counted in its `headerSize`.
    pub node_header_pad: Vec<u8>,
    /// `attributeSize` written in every start element (records stay 20 bytes apart).
    pub attribute_size: Option<u16>,
    /// Add this to every start-element chunk's size field.
    pub element_size_delta: i32,
    /// No resource map chunk.
    pub omit_resource_map: bool,
    /// A raw chunk between the string pool and the resource map.
    pub chunk_after_pool: Option<Vec<u8>>,
    /// Bytes appended after the document.
    pub trailing: Vec<u8>,
}

/// Builds binary XML.
#[derive(Debug, Clone, Default)]
pub struct AxmlBuilder {
    events: Vec<Ev>,
    utf8: bool,
    /// Hostile knobs.
    pub knobs: Knobs,
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}
fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
fn pad4(out: &mut Vec<u8>) {
    while !out.len().is_multiple_of(4) {
        out.push(0);
    }
}

/// A raw chunk: `type`, `headerSize`, then `body` (the size field covers all).
pub fn raw_chunk(ty: u16, header_size: u16, body: &[u8]) -> Vec<u8> {
    let mut c = Vec::new();
    u16le(&mut c, ty);
    u16le(&mut c, header_size);
    u32le(&mut c, len32(body.len().saturating_add(8)));
    c.extend_from_slice(body);
    c
}

/// Encodes a `ResStringPool` chunk.
pub fn string_pool(
    strings: &[String],
    utf8: bool,
    header_size: Option<u16>,
    count: Option<u32>,
) -> Vec<u8> {
    string_pool_padded(strings, utf8, header_size, count, &[], false)
}

/// Encodes a `ResStringPool` chunk whose header is enlarged by `pad` (counted in `headerSize`
/// unless `header_size` overrides the field; the offsets array follows the padding). With
/// `decoy_offsets`, the padding starts with the offsets array reversed, for tools that assume
/// a 28-byte header.
pub fn string_pool_padded(
    strings: &[String],
    utf8: bool,
    header_size: Option<u16>,
    count: Option<u32>,
    pad: &[u8],
    decoy_offsets: bool,
) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(len32(data.len()));
        if utf8 {
            let n16 = s.encode_utf16().count();
            for n in [n16, s.len()] {
                if n > 0x7f {
                    data.push(u8::try_from(((n >> 8) & 0x7f) | 0x80).unwrap_or(0));
                    data.push(u8::try_from(n & 0xff).unwrap_or(0));
                } else {
                    data.push(u8::try_from(n).unwrap_or(0));
                }
            }
            data.extend_from_slice(s.as_bytes());
            data.push(0);
        } else {
            let units: Vec<u16> = s.encode_utf16().collect();
            let n = units.len();
            if n > 0x7fff {
                u16le(
                    &mut data,
                    u16::try_from(((n >> 16) & 0x7fff) | 0x8000).unwrap_or(0),
                );
                u16le(&mut data, u16::try_from(n & 0xffff).unwrap_or(0));
            } else {
                u16le(&mut data, u16::try_from(n).unwrap_or(0));
            }
            for u in units {
                u16le(&mut data, u);
            }
            u16le(&mut data, 0);
        }
    }
    pad4(&mut data);
    let mut padding = Vec::new();
    if decoy_offsets {
        for o in offsets.iter().rev() {
            u32le(&mut padding, *o);
        }
    }
    padding.extend_from_slice(pad);
    let header = 28usize.saturating_add(padding.len());
    let mut body = Vec::new();
    u32le(&mut body, count.unwrap_or(len32(strings.len())));
    u32le(&mut body, 0); // styleCount
    u32le(&mut body, if utf8 { 0x100 } else { 0 });
    u32le(
        &mut body,
        len32(header.saturating_add(offsets.len().saturating_mul(4))),
    );
    u32le(&mut body, 0); // stylesStart
    body.extend_from_slice(&padding);
    for o in offsets {
        u32le(&mut body, o);
    }
    body.extend_from_slice(&data);
    raw_chunk(
        0x0001,
        header_size.unwrap_or(u16::try_from(header).unwrap_or(u16::MAX)),
        &body,
    )
}

impl AxmlBuilder {
    /// An empty UTF-16 document.
    pub fn new() -> Self {
        Self::default()
    }
    /// Uses a UTF-8 string pool.
    #[must_use]
    pub fn utf8(mut self) -> Self {
        self.utf8 = true;
        self
    }
    /// Starts a namespace.
    #[must_use]
    pub fn ns(mut self, prefix: &str, uri: &str) -> Self {
        self.events
            .push(Ev::StartNs(Some(prefix.to_owned()), uri.to_owned()));
        self
    }
    /// Starts a namespace whose prefix is no string at all (index `0xFFFFFFFF`).
    #[must_use]
    pub fn ns_without_prefix(mut self, uri: &str) -> Self {
        self.events.push(Ev::StartNs(None, uri.to_owned()));
        self
    }
    /// Ends a namespace.
    #[must_use]
    pub fn end_ns(mut self, prefix: &str, uri: &str) -> Self {
        self.events
            .push(Ev::EndNs(Some(prefix.to_owned()), uri.to_owned()));
        self
    }
    /// Starts an element (no namespace).
    #[must_use]
    pub fn start(mut self, name: &str, attrs: Vec<Attr>) -> Self {
        self.events
            .push(Ev::Start(None, name.to_owned(), attrs, None));
        self
    }
    /// Starts an element in namespace `ns` (any string, even empty).
    #[must_use]
    pub fn start_in(mut self, ns: &str, name: &str, attrs: Vec<Attr>) -> Self {
        self.events
            .push(Ev::Start(Some(ns.to_owned()), name.to_owned(), attrs, None));
        self
    }
    /// Ends an element in namespace `ns`.
    #[must_use]
    pub fn end_in(mut self, ns: &str, name: &str) -> Self {
        self.events
            .push(Ev::End(Some(ns.to_owned()), name.to_owned()));
        self
    }
    /// Starts an element whose node header is enlarged to hide a decoy: right after the
    /// standard 16-byte node header comes a complete standard-layout extension for element
    /// `decoy_name` with `decoy_attrs`, counted in `headerSize`; the real extension (`name`,
    /// `attrs`) follows. Android reads the real one (at `node + headerSize`); a tool that
    /// assumes a 16-byte header reads the decoy.
    #[must_use]
    pub fn start_with_decoy(
        mut self,
        name: &str,
        attrs: Vec<Attr>,
        decoy_name: &str,
        decoy_attrs: Vec<Attr>,
    ) -> Self {
        self.events.push(Ev::Start(
            None,
            name.to_owned(),
            attrs,
            Some((decoy_name.to_owned(), decoy_attrs)),
        ));
        self
    }
    /// Ends an element.
    #[must_use]
    pub fn end(mut self, name: &str) -> Self {
        self.events.push(Ev::End(None, name.to_owned()));
        self
    }
    /// Character data.
    #[must_use]
    pub fn text(mut self, s: &str) -> Self {
        self.events.push(Ev::Text(s.to_owned()));
        self
    }
    /// A raw chunk among the nodes (e.g. an unknown chunk type).
    #[must_use]
    pub fn raw(mut self, chunk: Vec<u8>) -> Self {
        self.events.push(Ev::Raw(chunk));
        self
    }
    /// Sets the knobs.
    #[must_use]
    pub fn with_knobs(mut self, knobs: Knobs) -> Self {
        self.knobs = knobs;
        self
    }

    /// Encodes the document.
    #[allow(clippy::too_many_lines)] // one linear encoding of the document
    pub fn build(&self) -> Vec<u8> {
        // Strings: resource-ID'd attribute names first (the resource map is parallel to them).
        let mut strings: Vec<String> = Vec::new();
        let mut ids: Vec<u32> = Vec::new();
        for ev in &self.events {
            if let Ev::Start(_, _, attrs, decoy) = ev {
                let decoys = decoy.iter().flat_map(|(_, d)| d);
                for a in attrs.iter().chain(decoys) {
                    if let Some(id) = a.res_id {
                        let seen = strings
                            .iter()
                            .zip(&ids)
                            .any(|(s, i)| *s == a.name && *i == id);
                        if !seen {
                            strings.push(a.name.clone());
                            ids.push(id);
                        }
                    }
                }
            }
        }
        let mut nodes: Vec<Vec<u8>> = Vec::new();
        let mut line = 1u32;
        let pad = &self.knobs.node_header_pad;
        let node = |ty: u16, line: u32, hidden: &[u8], ext: &[u8], delta: i32| -> Vec<u8> {
            let header = 16usize
                .saturating_add(hidden.len())
                .saturating_add(pad.len());
            let hs = self
                .knobs
                .node_header_size
                .unwrap_or(u16::try_from(header).unwrap_or(u16::MAX));
            let mut c = Vec::new();
            u16le(&mut c, ty);
            u16le(&mut c, hs);
            let size = len32(ext.len().saturating_add(header)).saturating_add_signed(delta);
            u32le(&mut c, size);
            u32le(&mut c, line);
            u32le(&mut c, u32::MAX);
            c.extend_from_slice(hidden);
            c.extend_from_slice(pad);
            c.extend_from_slice(ext);
            c
        };
        let attr_size = self.knobs.attribute_size.unwrap_or(20);
        for ev in &self.events {
            line = line.saturating_add(1);
            match ev {
                Ev::StartNs(p, u) | Ev::EndNs(p, u) => {
                    let mut ext = Vec::new();
                    u32le(&mut ext, opt_intern(&mut strings, p.as_ref()));
                    u32le(&mut ext, intern(&mut strings, u));
                    let ty = if matches!(ev, Ev::StartNs(..)) {
                        0x0100
                    } else {
                        0x0101
                    };
                    nodes.push(node(ty, line, &[], &ext, 0));
                }
                Ev::Start(ns, name, attrs, decoy) => {
                    let hidden = decoy.as_ref().map_or_else(Vec::new, |(dn, da)| {
                        attr_ext(&mut strings, &ids, ns.as_ref(), dn, da, 20)
                    });
                    let ext = attr_ext(&mut strings, &ids, ns.as_ref(), name, attrs, attr_size);
                    nodes.push(node(
                        0x0102,
                        line,
                        &hidden,
                        &ext,
                        self.knobs.element_size_delta,
                    ));
                }
                Ev::End(ns, name) => {
                    let mut ext = Vec::new();
                    u32le(&mut ext, opt_intern(&mut strings, ns.as_ref()));
                    u32le(&mut ext, intern(&mut strings, name));
                    nodes.push(node(0x0103, line, &[], &ext, 0));
                }
                Ev::Text(t) => {
                    let mut ext = Vec::new();
                    u32le(&mut ext, intern(&mut strings, t));
                    u32le(&mut ext, 8);
                    u32le(&mut ext, 0);
                    nodes.push(node(0x0104, line, &[], &ext, 0));
                }
                Ev::Raw(c) => nodes.push(c.clone()),
            }
        }
        let mut body = string_pool_padded(
            &strings,
            self.utf8,
            self.knobs.pool_header_size,
            self.knobs.pool_string_count,
            &self.knobs.pool_header_pad,
            self.knobs.pool_decoy_offsets,
        );
        if let Some(c) = &self.knobs.chunk_after_pool {
            body.extend_from_slice(c);
        }
        if !self.knobs.omit_resource_map {
            let mut m = Vec::new();
            for id in &ids {
                u32le(&mut m, *id);
            }
            body.extend_from_slice(&raw_chunk(0x0180, 8, &m));
        }
        for n in nodes {
            body.extend_from_slice(&n);
        }
        let file_pad = &self.knobs.file_header_pad;
        let header = 8usize.saturating_add(file_pad.len());
        let mut out = Vec::new();
        u16le(&mut out, self.knobs.file_type.unwrap_or(0x0003));
        u16le(
            &mut out,
            self.knobs
                .file_header_size
                .unwrap_or(u16::try_from(header).unwrap_or(u16::MAX)),
        );
        u32le(
            &mut out,
            self.knobs
                .file_size
                .unwrap_or(len32(body.len().saturating_add(header))),
        );
        out.extend_from_slice(file_pad);
        out.extend_from_slice(&body);
        out.extend_from_slice(&self.knobs.trailing);
        out
    }
}

/// Index of `s` in `strings`, appending it if new.
fn intern(strings: &mut Vec<String>, s: &str) -> u32 {
    if let Some(i) = strings.iter().position(|x| x == s) {
        return len32(i);
    }
    strings.push(s.to_owned());
    len32(strings.len().saturating_sub(1))
}

/// Index of `s`, or `0xFFFFFFFF` for none.
fn opt_intern(strings: &mut Vec<String>, s: Option<&String>) -> u32 {
    s.map_or(u32::MAX, |s| intern(strings, s))
}

/// Index of a resource-ID'd attribute name (the resource map is parallel to the first strings).
fn name_idx(strings: &[String], ids: &[u32], a: &Attr) -> Option<u32> {
    let id = a.res_id?;
    strings
        .iter()
        .zip(ids)
        .position(|(s, i)| *s == a.name && *i == id)
        .map(len32)
}

/// A `ResXMLTree_attrExt` (attributes start right after it, 20 bytes apart, with
/// `attributeSize` written as `attr_size`) followed by its attribute records.
fn attr_ext(
    strings: &mut Vec<String>,
    ids: &[u32],
    ns: Option<&String>,
    name: &str,
    attrs: &[Attr],
    attr_size: u16,
) -> Vec<u8> {
    let mut ext = Vec::new();
    u32le(&mut ext, opt_intern(strings, ns));
    u32le(&mut ext, intern(strings, name));
    u16le(&mut ext, 20);
    u16le(&mut ext, attr_size);
    u16le(&mut ext, u16::try_from(attrs.len()).unwrap_or(u16::MAX));
    u16le(&mut ext, 0);
    u16le(&mut ext, 0);
    u16le(&mut ext, 0);
    for a in attrs {
        u32le(&mut ext, opt_intern(strings, a.ns.as_ref()));
        let n = match a.name_index {
            Some(i) => i,
            None => match name_idx(strings, ids, a) {
                Some(i) => i,
                None => intern(strings, &a.name),
            },
        };
        u32le(&mut ext, n);
        let (raw, ty, data) = match &a.value {
            AttrValue::Str(s) => {
                let i = intern(strings, s);
                (i, types::STRING, i)
            }
            AttrValue::StrIndex(i) => (*i, types::STRING, *i),
            AttrValue::Typed { data_type, data } => (u32::MAX, *data_type, *data),
        };
        u32le(&mut ext, raw);
        u16le(&mut ext, 8);
        ext.push(0);
        ext.push(ty);
        u32le(&mut ext, data);
    }
    ext
}

/// A value in the resource table builder.
#[derive(Debug, Clone)]
pub enum ArscValue {
    /// A string (global pool).
    Str(String),
    /// A typed value.
    Typed {
        /// `Res_value::dataType`.
        data_type: u8,
        /// `Res_value::data`.
        data: u32,
    },
    /// A complex (bag) entry with no items.
    Bag,
}

#[derive(Debug, Clone)]
struct ArscEntry {
    key: String,
    /// `(locale or default, value)`.
    values: Vec<(Option<String>, ArscValue)>,
}

/// Builds a one-package `resources.arsc`.
#[derive(Debug, Clone)]
pub struct ArscBuilder {
    package_id: u8,
    package_name: String,
    types: Vec<(String, Vec<ArscEntry>)>,
    /// Write type chunks with `FLAG_SPARSE`.
    pub sparse: bool,
    /// Write type chunks with `FLAG_OFFSET16`.
    pub offset16: bool,
    /// Write simple entries as compact entries (`FLAG_COMPACT`).
    pub compact: bool,
    /// Raw chunks appended inside the package (unknown chunk types, libraries).
    pub extra_package_chunks: Vec<Vec<u8>>,
}

impl ArscBuilder {
    /// A package `name` with id `package_id` (0x7f for apps).
    pub fn new(name: &str, package_id: u8) -> Self {
        ArscBuilder {
            package_id,
            package_name: name.to_owned(),
            types: Vec::new(),
            sparse: false,
            offset16: false,
            compact: false,
            extra_package_chunks: Vec::new(),
        }
    }

    /// Adds `value` for `type_name/key` in `locale` (None = default config); returns its ID.
    pub fn add(
        &mut self,
        type_name: &str,
        key: &str,
        locale: Option<&str>,
        value: ArscValue,
    ) -> u32 {
        let ti = if let Some(i) = self.types.iter().position(|(n, _)| n == type_name) {
            i
        } else {
            self.types.push((type_name.to_owned(), Vec::new()));
            self.types.len().saturating_sub(1)
        };
        let mut ei = 0usize;
        if let Some((_, entries)) = self.types.get_mut(ti) {
            ei = if let Some(i) = entries.iter().position(|e| e.key == key) {
                i
            } else {
                entries.push(ArscEntry {
                    key: key.to_owned(),
                    values: Vec::new(),
                });
                entries.len().saturating_sub(1)
            };
            if let Some(e) = entries.get_mut(ei) {
                e.values.push((locale.map(str::to_owned), value));
            }
        }
        (u32::from(self.package_id) << 24) | (len32(ti.saturating_add(1)) << 16) | len32(ei)
    }

    /// A default-config string resource.
    pub fn string(&mut self, key: &str, value: &str) -> u32 {
        self.add("string", key, None, ArscValue::Str(value.to_owned()))
    }

    /// An xml resource (its value is the file path, as aapt writes it).
    pub fn xml(&mut self, key: &str, path: &str) -> u32 {
        self.add("xml", key, None, ArscValue::Str(path.to_owned()))
    }

    /// Encodes the table.
    #[allow(clippy::too_many_lines)] // one linear encoding of the package
    pub fn build(&self) -> Vec<u8> {
        let mut global: Vec<String> = Vec::new();
        let mut gidx = |s: &str| -> u32 {
            if let Some(i) = global.iter().position(|x| x == s) {
                return len32(i);
            }
            global.push(s.to_owned());
            len32(global.len().saturating_sub(1))
        };
        let type_names: Vec<String> = self.types.iter().map(|(n, _)| n.clone()).collect();
        let mut keys: Vec<String> = Vec::new();
        for (_, entries) in &self.types {
            for e in entries {
                if !keys.contains(&e.key) {
                    keys.push(e.key.clone());
                }
            }
        }
        let key_idx = |k: &str| len32(keys.iter().position(|x| x == k).unwrap_or(0));
        let mut chunks = Vec::new();
        for (ti, (_, entries)) in self.types.iter().enumerate() {
            let type_id = u8::try_from(ti.saturating_add(1)).unwrap_or(u8::MAX);
            // TYPE_SPEC
            let mut spec = vec![type_id, 0, 0, 0];
            u32le(&mut spec, len32(entries.len()));
            for _ in entries {
                u32le(&mut spec, 0);
            }
            chunks.extend_from_slice(&raw_chunk(0x0202, 16, &spec));
            // One TYPE chunk per config (default first).
            let mut configs: Vec<Option<String>> = vec![None];
            for e in entries {
                for (l, _) in &e.values {
                    if !configs.contains(l) {
                        configs.push(l.clone());
                    }
                }
            }
            for cfg in configs {
                let mut index = Vec::new();
                let mut data = Vec::new();
                let mut present = 0u32;
                for (ei, e) in entries.iter().enumerate() {
                    let Some((_, v)) = e.values.iter().find(|(l, _)| *l == cfg) else {
                        if !self.sparse {
                            if self.offset16 {
                                u16le(&mut index, u16::MAX);
                            } else {
                                u32le(&mut index, u32::MAX);
                            }
                        }
                        continue;
                    };
                    present = present.saturating_add(1);
                    let off = len32(data.len());
                    if self.sparse {
                        u16le(&mut index, u16::try_from(ei).unwrap_or(u16::MAX));
                        u16le(&mut index, u16::try_from(off / 4).unwrap_or(u16::MAX));
                    } else if self.offset16 {
                        u16le(&mut index, u16::try_from(off / 4).unwrap_or(u16::MAX));
                    } else {
                        u32le(&mut index, off);
                    }
                    let key = key_idx(&e.key);
                    let (ty, d) = match v {
                        ArscValue::Str(s) => (types::STRING, gidx(s)),
                        ArscValue::Typed { data_type, data } => (*data_type, *data),
                        ArscValue::Bag => {
                            u16le(&mut data, 16);
                            u16le(&mut data, 0x0001);
                            u32le(&mut data, key);
                            u32le(&mut data, 0); // parent
                            u32le(&mut data, 0); // count
                            continue;
                        }
                    };
                    if self.compact {
                        u16le(&mut data, u16::try_from(key).unwrap_or(u16::MAX));
                        u16le(&mut data, (u16::from(ty) << 8) | 0x0008);
                        u32le(&mut data, d);
                    } else {
                        u16le(&mut data, 8);
                        u16le(&mut data, 0);
                        u32le(&mut data, key);
                        u16le(&mut data, 8);
                        data.push(0);
                        data.push(ty);
                        u32le(&mut data, d);
                    }
                }
                pad4(&mut index);
                let mut config = vec![0u8; 64];
                if let Some(c) = config.get_mut(0..4) {
                    c.copy_from_slice(&64u32.to_le_bytes());
                }
                if let (Some(l), Some(dst)) = (&cfg, config.get_mut(8..10)) {
                    let b = l.as_bytes();
                    if let Some(src) = b.get(..2) {
                        dst.copy_from_slice(src);
                    }
                }
                let header = 20usize.saturating_add(config.len());
                let mut body = vec![
                    type_id,
                    if self.sparse {
                        0x01
                    } else if self.offset16 {
                        0x02
                    } else {
                        0
                    },
                    0,
                    0,
                ];
                let count = if self.sparse {
                    present
                } else {
                    len32(entries.len())
                };
                u32le(&mut body, count);
                u32le(&mut body, len32(header.saturating_add(index.len())));
                body.extend_from_slice(&config);
                body.extend_from_slice(&index);
                body.extend_from_slice(&data);
                chunks.extend_from_slice(&raw_chunk(
                    0x0201,
                    u16::try_from(header).unwrap_or(0),
                    &body,
                ));
            }
        }
        for c in &self.extra_package_chunks {
            chunks.extend_from_slice(c);
        }
        let type_pool = string_pool(&type_names, false, None, None);
        let key_pool = string_pool(&keys, false, None, None);
        let mut pkg = Vec::new();
        u32le(&mut pkg, u32::from(self.package_id));
        let mut name: Vec<u16> = self.package_name.encode_utf16().take(127).collect();
        name.resize(128, 0);
        for u in name {
            u16le(&mut pkg, u);
        }
        u32le(&mut pkg, 288); // typeStrings
        u32le(&mut pkg, len32(type_names.len()));
        u32le(&mut pkg, len32(288usize.saturating_add(type_pool.len()))); // keyStrings
        u32le(&mut pkg, len32(keys.len()));
        u32le(&mut pkg, 0); // typeIdOffset
        pkg.extend_from_slice(&type_pool);
        pkg.extend_from_slice(&key_pool);
        pkg.extend_from_slice(&chunks);
        let package = raw_chunk(0x0200, 288, &pkg);
        let mut body = Vec::new();
        u32le(&mut body, 1);
        body.extend_from_slice(&string_pool(&global, true, None, None));
        body.extend_from_slice(&package);
        raw_chunk(0x0002, 12, &body)
    }
}
