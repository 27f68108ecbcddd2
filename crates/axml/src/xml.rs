//! Binary XML (`ResXMLTree`) decoding into a generic element tree.
//!
//! Follows AOSP `frameworks/base/libs/androidfw/ResourceTypes.cpp` (`ResXMLTree::setTo`,
//! `ResXMLParser::nextNode`) and is more tolerant where malware relies on tolerance: wrong
//! magic, bogus chunk and header sizes, unknown chunks, bogus string pool counts and attribute
//! names hidden behind resource IDs are all decoded and reported as [`Anomaly`]s.

use crate::bytes::{CHUNK_HEADER_LEN, ChunkHeader, off64, u16_at, u32_at, us};
use crate::strpool::{Budget, StringPool, Strings};
use crate::value::Value;
use crate::{ANDROID_NS, Anomaly, Error, Result, attrs, codes};
use serde::Serialize;

/// Deepest element nesting kept as a tree; deeper elements are flattened (anomaly
/// [`codes::DEPTH_LIMIT`]). Building uses an explicit stack, so depth never costs call stack.
pub const MAX_DEPTH: usize = 1024;
/// Most nodes (elements and text) one document may produce.
pub const MAX_NODES: usize = 1 << 20;
/// Most attributes one document may produce.
pub const MAX_ATTRIBUTES: usize = 1 << 22;

/// `RES_XML_TYPE`: the file's first chunk.
const RES_XML_TYPE: u16 = 0x0003;
/// `RES_STRING_POOL_TYPE`.
const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `RES_XML_START_NAMESPACE_TYPE`.
const START_NAMESPACE: u16 = 0x0100;
/// `RES_XML_END_NAMESPACE_TYPE`.
const END_NAMESPACE: u16 = 0x0101;
/// `RES_XML_START_ELEMENT_TYPE`.
const START_ELEMENT: u16 = 0x0102;
/// `RES_XML_END_ELEMENT_TYPE`.
const END_ELEMENT: u16 = 0x0103;
/// `RES_XML_CDATA_TYPE`.
const CDATA: u16 = 0x0104;
/// `RES_XML_FIRST_CHUNK_TYPE`: first type of the node range.
const FIRST_NODE_TYPE: u16 = 0x0100;
/// `RES_XML_LAST_CHUNK_TYPE`: last type of the node range.
const LAST_NODE_TYPE: u16 = 0x017f;
/// `RES_XML_RESOURCE_MAP_TYPE`.
const RESOURCE_MAP: u16 = 0x0180;
/// `sizeof(ResXMLTree_node)`.
const NODE_HEADER_LEN: usize = 16;
/// `sizeof(ResXMLTree_namespaceExt)`, `sizeof(ResXMLTree_endElementExt)`.
const NS_EXT_LEN: usize = 8;
/// `sizeof(ResXMLTree_attrExt)`.
const ATTR_EXT_LEN: usize = 20;
/// `sizeof(ResXMLTree_attribute)`.
const ATTR_LEN: usize = 20;
/// `sizeof(ResXMLTree_cdataExt)`.
const CDATA_EXT_LEN: usize = 12;
/// "No string" index.
const NO_INDEX: u32 = u32::MAX;

/// A decoded binary XML document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Document {
    /// The root element (the first top-level element).
    pub root: Option<Element>,
    /// Every namespace declaration, in document order.
    pub namespaces: Vec<Namespace>,
    /// Strings in the string pool.
    pub string_count: u32,
    /// Whether the string pool is UTF-8 (else UTF-16).
    pub utf8: bool,
    /// Styled strings in the string pool (spans are not decoded).
    pub style_count: u32,
    /// What was odd about the input (codes in [`crate::codes`]).
    pub anomalies: Vec<Anomaly>,
}

/// A namespace declaration (`xmlns:prefix="uri"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Namespace {
    /// The prefix (`android`), if any.
    pub prefix: Option<String>,
    /// The URI.
    pub uri: String,
    /// Byte offset of the declaring chunk.
    pub offset: u64,
}

/// An element.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Element {
    /// Namespace URI of the element, if any.
    pub namespace: Option<String>,
    /// Local name.
    pub name: String,
    /// Attributes in file order.
    pub attributes: Vec<Attribute>,
    /// Child elements and text, in order.
    pub children: Vec<Node>,
    /// Namespaces declared just before this element (they scope over it).
    pub namespace_decls: Vec<Namespace>,
    /// Source line number recorded by aapt.
    pub line: u32,
    /// Byte offset of the start-element chunk (0 for documents not from binary XML).
    pub offset: u64,
}

/// A child node.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    /// An element.
    Element(Element),
    /// Character data.
    Text(Text),
}

/// Character data.
#[derive(Debug, Clone, Serialize)]
pub struct Text {
    /// The text.
    pub text: String,
    /// Byte offset of the CDATA chunk.
    pub offset: u64,
}

/// An attribute with its typed value.
#[derive(Debug, Clone, Serialize)]
pub struct Attribute {
    /// Namespace URI, if any.
    pub namespace: Option<String>,
    /// The name Android sees: the framework name for a known `android:attr` resource ID,
    /// else the name string.
    pub name: String,
    /// The name string in the file when it differs from `name` (obfuscation).
    pub raw_name: Option<String>,
    /// The resource ID from the resource map, if any.
    pub resource_id: Option<u32>,
    /// The raw string value (`rawValue`), if any.
    pub raw_value: Option<String>,
    /// The typed value.
    pub value: Value,
    /// Byte offset of the attribute record.
    pub offset: u64,
}

impl Element {
    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with local name `name`.
    pub fn elements_named<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Element> {
        self.elements().filter(move |e| e.name == name)
    }

    /// The `android:` attribute `name` as Android finds it: by its framework resource ID when
    /// the name is in [`attrs::ANDROID_ATTRS`], else (for documents without resource IDs) by
    /// name in the Android namespace.
    pub fn android_attr(&self, name: &str) -> Option<&Attribute> {
        if let Some(id) = attrs::id_of(name)
            && let Some(a) = self.attributes.iter().find(|a| a.resource_id == Some(id))
        {
            return Some(a);
        }
        self.attributes.iter().find(|a| {
            a.resource_id.is_none() && a.name == name && a.namespace.as_deref() == Some(ANDROID_NS)
        })
    }

    /// A plain attribute (`package`, `platformBuildVersionCode`): no namespace preferred, as
    /// `getAttributeValue(null, name)` does; else the first with that name.
    pub fn attr(&self, name: &str) -> Option<&Attribute> {
        let plain = |a: &&Attribute| a.namespace.as_deref().is_none_or(str::is_empty);
        self.attributes
            .iter()
            .filter(plain)
            .find(|a| a.name == name)
            .or_else(|| self.attributes.iter().find(|a| a.name == name))
    }
}

/// Decodes binary XML. See [`Document`]; fails only when the input is shorter than a chunk
/// header or holds no element at all.
///
/// Layout follows Android's own parser as long as Android would accept what has been read: the
/// first chunk is at `headerSize` of the document header (`ResXMLTree::setTo`), a string pool's
/// offsets at `pool + headerSize` (`ResStringPool::setTo`), a resource map's IDs at
/// `map + headerSize`, and a node's extension at `node + headerSize` (`ResXMLParser::nextNode`),
/// so padding or decoy bytes in an enlarged header are skipped exactly as Android skips them
/// ([`codes::NONSTANDARD_HEADER_SIZE`]). At the first thing Android would refuse
/// (`validate_chunk`, `ResXMLTree::validateNode`, a bad string pool, …) an
/// [`codes::ANDROID_BAD_DOCUMENT`] anomaly is recorded and decoding goes on best-effort with the
/// standard header sizes.
#[allow(clippy::too_many_lines)] // one loop over the top-level chunks, kept together
pub fn parse(input: &[u8]) -> Result<Document> {
    let mut an = Vec::new();
    let hdr = ChunkHeader::read_first(
        input,
        RES_XML_TYPE,
        "binary XML header",
        CHUNK_HEADER_LEN,
        &mut an,
    )?;
    let mut gate = Gate::default();
    let declared = us(hdr.size);
    let doc_hs = usize::from(hdr.header_size);
    if doc_hs > declared || declared > input.len() {
        gate.refuse(
            &mut an,
            0,
            false,
            &format!(
                "ResXMLTree::setTo: header size {doc_hs} or total size {declared:#x} is larger \
                 than the data size {:#x}",
                input.len()
            ),
        );
    }
    let end = if declared > input.len() {
        an.push(Anomaly::new(
            codes::CHUNK_SIZE_PAST_END,
            Some(0),
            format!(
                "document size {declared:#x} past end of {:#x}-byte input",
                input.len()
            ),
        ));
        input.len()
    } else if declared < CHUNK_HEADER_LEN {
        an.push(Anomaly::new(
            codes::BAD_CHUNK_SIZE,
            Some(0),
            format!("document size {declared:#x}; reading the whole input"),
        ));
        input.len()
    } else {
        if declared < input.len() {
            an.push(Anomaly::new(
                codes::TRAILING_DATA,
                Some(off64(declared)),
                format!(
                    "{} bytes after the document's declared size",
                    input.len().saturating_sub(declared)
                ),
            ));
        }
        declared
    };
    let data = input.get(..end).unwrap_or(input);
    // ResXMLTree::setTo: the first chunk is at `data + headerSize`. Whether a non-standard
    // value is honoured is known once the chunk there has been checked.
    let mut doc_hs_pending = false;
    let mut pos = if doc_hs == CHUNK_HEADER_LEN {
        CHUNK_HEADER_LEN
    } else if gate.open() {
        doc_hs_pending = true;
        doc_hs
    } else {
        an.push(Anomaly::new(
            codes::BAD_HEADER_SIZE,
            Some(0),
            format!(
                "document headerSize {doc_hs} (standard {CHUNK_HEADER_LEN}) in a document \
                 Android refuses; reading the first chunk at {CHUNK_HEADER_LEN}"
            ),
        ));
        CHUNK_HEADER_LEN
    };

    let mut pool = StringPool::default();
    let mut pool_seen = false;
    let mut resmap: &[u8] = &[];
    let mut nodes_seen = false;
    let mut known_node_seen = false;
    let mut budget = Budget::default();
    let mut tree = TreeBuilder::default();
    while pos < data.len() {
        let at = off64(pos);
        if gate.open() {
            let verdict = if nodes_seen {
                android_node(data, pos)
            } else {
                android_scan(data, pos).and_then(|ty| {
                    if !(FIRST_NODE_TYPE..=LAST_NODE_TYPE).contains(&ty) {
                        Ok(())
                    } else if !pool_seen {
                        Err("ResXMLTree::setTo: no string pool before the first node \
                             (mStrings.getError() is NO_INIT)"
                            .to_owned())
                    } else if let Some(e) = pool.android_error() {
                        Err(format!("ResStringPool::setTo: {e}"))
                    } else {
                        Ok(())
                    }
                })
            };
            if let Err(why) = verdict {
                gate.refuse(&mut an, at, tree.root.is_some(), &why);
                if doc_hs_pending {
                    doc_hs_pending = false;
                    an.push(Anomaly::new(
                        codes::BAD_HEADER_SIZE,
                        Some(0),
                        format!(
                            "document headerSize {doc_hs} (standard {CHUNK_HEADER_LEN}): no \
                             valid chunk at {pos:#x}, where Android reads the first one; reading \
                             it at {CHUNK_HEADER_LEN} instead"
                        ),
                    ));
                    pos = CHUNK_HEADER_LEN;
                    continue;
                }
            }
        }
        if doc_hs_pending {
            doc_hs_pending = false;
            an.push(doc_hs_honoured(doc_hs));
        }
        // While Android accepts everything so far, header sizes are honoured as Android honours
        // them; afterwards the standard sizes are used.
        let mirror = gate.open();
        let rest = data.len().saturating_sub(pos);
        let Some(h) = ChunkHeader::read(data, pos) else {
            an.push(Anomaly::new(
                codes::TRAILING_DATA,
                Some(at),
                format!("{rest} trailing bytes"),
            ));
            break;
        };
        let mut size = us(h.size);
        if size < CHUNK_HEADER_LEN {
            an.push(Anomaly::new(
                codes::BAD_CHUNK_SIZE,
                Some(at),
                format!("chunk type {:#06x} size {size:#x}; stopping", h.ty),
            ));
            break;
        }
        if size > rest {
            an.push(Anomaly::new(
                codes::CHUNK_SIZE_PAST_END,
                Some(at),
                format!(
                    "chunk type {:#06x} size {size:#x}, only {rest:#x} left",
                    h.ty
                ),
            ));
            size = rest;
        }
        if !size.is_multiple_of(4) {
            an.push(Anomaly::new(
                codes::MISALIGNED_CHUNK,
                Some(at),
                format!(
                    "chunk type {:#06x} size {size:#x} not a multiple of 4",
                    h.ty
                ),
            ));
        }
        let chunk = pos
            .checked_add(size)
            .and_then(|e| data.get(pos..e))
            .unwrap_or_default();
        if (FIRST_NODE_TYPE..=LAST_NODE_TYPE).contains(&h.ty) && !nodes_seen {
            // ResXMLTree::setTo stops its scan at the first chunk of the node range.
            nodes_seen = true;
            if !pool_seen {
                an.push(Anomaly::new(
                    codes::MISSING_STRING_POOL,
                    Some(at),
                    "no string pool before the first XML node",
                ));
            }
        }
        match h.ty {
            RES_STRING_POOL_TYPE | RESOURCE_MAP if nodes_seen => {
                an.push(Anomaly::new(
                    codes::LATE_CHUNK,
                    Some(at),
                    format!("chunk type {:#06x} after the first XML node; ignored", h.ty),
                ));
            }
            RES_STRING_POOL_TYPE => {
                if pool_seen {
                    an.push(Anomaly::new(
                        codes::DUPLICATE_STRING_POOL,
                        Some(at),
                        "second string pool replaces the first (as in ResXMLTree::setTo)",
                    ));
                }
                pool = StringPool::parse(chunk, at, h, mirror, &mut an);
                pool_seen = true;
            }
            RESOURCE_MAP => resmap = resource_map(chunk, at, h, mirror, &mut an),
            START_NAMESPACE..=CDATA => {
                known_node_seen = true;
                let mut cx = NodeCx {
                    strings: Strings {
                        pool: &pool,
                        budget: &mut budget,
                        anomalies: &mut an,
                    },
                    resmap,
                };
                let place = Place {
                    input,
                    pos,
                    at,
                    mirror,
                };
                if !tree.node(&mut cx, h, chunk, place) {
                    break;
                }
            }
            _ => an.push(Anomaly::new(
                codes::UNKNOWN_CHUNK,
                Some(at),
                format!("chunk type {:#06x} ({size} bytes) skipped", h.ty),
            )),
        }
        pos = pos.saturating_add(size);
    }
    if doc_hs_pending {
        an.push(doc_hs_honoured(doc_hs));
    }
    if gate.open() && !known_node_seen {
        gate.refuse(
            &mut an,
            off64(pos),
            false,
            "ResXMLTree::setTo: no root element node found",
        );
    }
    let root = tree.finish(&mut an);
    let Some(root) = root else {
        return Err(Error::NoRootElement { anomalies: an });
    };
    Ok(Document {
        root: Some(root),
        namespaces: tree.namespaces,
        string_count: pool.len(),
        utf8: pool.is_utf8(),
        style_count: pool.style_count,
        anomalies: an,
    })
}

/// The anomaly for a non-standard document `headerSize` that Android follows.
fn doc_hs_honoured(doc_hs: usize) -> Anomaly {
    Anomaly::new(
        codes::NONSTANDARD_HEADER_SIZE,
        Some(0),
        format!(
            "document headerSize {doc_hs} (standard {CHUNK_HEADER_LEN}): Android reads the first \
             chunk at {doc_hs:#x} (ResXMLTree::setTo)"
        ),
    )
}

/// Whether Android's parser still accepts the document; records the first refusal.
#[derive(Debug, Default)]
struct Gate {
    refused: bool,
}

impl Gate {
    fn open(&self) -> bool {
        !self.refused
    }

    /// Records Android's first refusal (later ones are not reported: Android stops at the
    /// first). `after_root` says whether the root element had already closed.
    fn refuse(&mut self, an: &mut Vec<Anomaly>, at: u64, after_root: bool, why: &str) {
        if self.refused {
            return;
        }
        self.refused = true;
        let consequence = if after_root {
            "Android's parser stops here (BAD_DOCUMENT) after the root element closed: readers \
             that stop at the root's end tag, like the package manager, are unaffected"
        } else {
            "Android would refuse this file (BAD_TYPE / BAD_DOCUMENT: a manifest fails to parse \
             and the package does not install)"
        };
        an.push(Anomaly::new(
            codes::ANDROID_BAD_DOCUMENT,
            Some(at),
            format!(
                "{why}. {consequence}; decoding goes on best-effort with standard header sizes"
            ),
        ));
    }
}

/// AOSP `validate_chunk`: `headerSize` at least `min`, at most `size`, both multiples of 4, and
/// the chunk inside `data`. Returns the header.
fn validate_chunk(
    data: &[u8],
    pos: usize,
    min: usize,
    name: &str,
) -> std::result::Result<ChunkHeader, String> {
    let Some(h) = ChunkHeader::read(data, pos) else {
        return Err(format!(
            "validate_chunk: {name} header runs past the end of the data"
        ));
    };
    let hs = usize::from(h.header_size);
    let size = us(h.size);
    if hs < min {
        Err(format!(
            "validate_chunk: {name} type {:#06x} header size {hs} is too small (minimum {min})",
            h.ty
        ))
    } else if hs > size {
        Err(format!(
            "validate_chunk: {name} type {:#06x} size {size:#x} is smaller than header size {hs}",
            h.ty
        ))
    } else if !(hs | size).is_multiple_of(4) {
        Err(format!(
            "validate_chunk: {name} type {:#06x} size {size:#x} or header size {hs} is not on a \
             4-byte boundary",
            h.ty
        ))
    } else if size > data.len().saturating_sub(pos) {
        Err(format!(
            "validate_chunk: {name} type {:#06x} size {size:#x} extends beyond the data end",
            h.ty
        ))
    } else {
        Ok(h)
    }
}

/// One step of `ResXMLTree::setTo`'s scan for the first node: its loop condition, then
/// `validate_chunk(chunk, sizeof(ResChunk_header))`, then for a node-range chunk the node checks
/// of [`android_node`]. Returns the chunk type.
fn android_scan(data: &[u8], pos: usize) -> std::result::Result<u16, String> {
    let end = data.len();
    let in_loop = pos.checked_add(CHUNK_HEADER_LEN).is_some_and(|e| e < end)
        && u32_at(data, pos.saturating_add(4))
            .and_then(|s| pos.checked_add(us(s)))
            .is_some_and(|e| e < end);
    if !in_loop {
        return Err(format!(
            "ResXMLTree::setTo: the scan for the first node ends at {pos:#x} without finding one \
             (no root element node found)"
        ));
    }
    let h = validate_chunk(data, pos, CHUNK_HEADER_LEN, "XML")?;
    if (FIRST_NODE_TYPE..=LAST_NODE_TYPE).contains(&h.ty) {
        android_node(data, pos)?;
    }
    Ok(h.ty)
}

/// `ResXMLTree::validateNode` and the extension-size check of `ResXMLParser::nextNode` for the
/// chunk at `pos` (every chunk from the first node on goes through them).
fn android_node(data: &[u8], pos: usize) -> std::result::Result<(), String> {
    let h = validate_chunk(data, pos, NODE_HEADER_LEN, "ResXMLTree_node")?;
    let hs = usize::from(h.header_size);
    let size = us(h.size);
    let room = size.saturating_sub(hs);
    if h.ty == START_ELEMENT {
        if room < ATTR_EXT_LEN {
            return Err(format!(
                "ResXMLTree::validateNode: start element header size {hs}, size {size:#x}"
            ));
        }
        let ext = pos.saturating_add(hs);
        let field = |o: usize| usize::from(u16_at(data, ext.saturating_add(o)).unwrap_or(0));
        let used = field(10).saturating_mul(field(12)).saturating_add(field(8));
        if used > room {
            return Err(format!(
                "ResXMLTree::validateNode: node attributes use {used:#x} bytes, only have \
                 {room:#x}"
            ));
        }
    }
    let need = match h.ty {
        START_NAMESPACE | END_NAMESPACE | END_ELEMENT => NS_EXT_LEN,
        START_ELEMENT => ATTR_EXT_LEN,
        CDATA => CDATA_EXT_LEN,
        _ => return Ok(()),
    };
    if room < need {
        return Err(format!(
            "ResXMLParser::nextNode: node type {:#06x} has {room} extension bytes, needs {need}",
            h.ty
        ));
    }
    Ok(())
}

/// The resource map's IDs: at `map + headerSize` while Android accepts the document
/// (`ResXMLTree::setTo`), else after the standard header.
fn resource_map<'a>(
    chunk: &'a [u8],
    at: u64,
    h: ChunkHeader,
    mirror: bool,
    an: &mut Vec<Anomaly>,
) -> &'a [u8] {
    let hs = usize::from(h.header_size);
    let start = if hs == CHUNK_HEADER_LEN {
        CHUNK_HEADER_LEN
    } else if mirror {
        an.push(Anomaly::new(
            codes::NONSTANDARD_HEADER_SIZE,
            Some(at),
            format!(
                "resource map headerSize {hs} (standard {CHUNK_HEADER_LEN}): Android reads the \
                 IDs at +{hs:#x} (ResXMLTree::setTo)"
            ),
        ));
        hs
    } else {
        an.push(Anomaly::new(
            codes::BAD_HEADER_SIZE,
            Some(at),
            format!("resource map headerSize {hs}; using the standard size {CHUNK_HEADER_LEN}"),
        ));
        CHUNK_HEADER_LEN
    };
    let ids = chunk.get(start..).unwrap_or_default();
    if !ids.len().is_multiple_of(4) {
        an.push(Anomaly::new(
            codes::RESOURCE_MAP_MISALIGNED,
            Some(at),
            format!("resource map payload of {} bytes", ids.len()),
        ));
    }
    ids
}

/// Where a start element's attribute records are: `(source, source's offset in the input, base
/// offset in source, stride, count)`. The extension is at `ext_off` in `chunk`.
fn attribute_layout<'a>(
    an: &mut Vec<Anomaly>,
    chunk: &'a [u8],
    ext_off: usize,
    place: Place<'a>,
) -> (&'a [u8], u64, usize, usize, usize) {
    let ext = chunk.get(ext_off..).unwrap_or_default();
    let ext_at = place.at.saturating_add(off64(ext_off));
    let attr_start = usize::from(u16_at(ext, 8).unwrap_or(0));
    let attr_size = usize::from(u16_at(ext, 10).unwrap_or(0));
    let attr_count = usize::from(u16_at(ext, 12).unwrap_or(0));
    // Attribute i is the 20-byte record at ext + attributeStart + attributeSize * i
    // (ResXMLParser::getAttribute*). While Android accepts the document the stride is
    // attributeSize as written, even below 20 (records overlap; ResXMLTree::validateNode
    // only bounds attributeStart + attributeSize * attributeCount), and records are read
    // from the whole buffer as Android reads them; afterwards, the chunk with stride ≥ 20.
    if place.mirror {
        let mut count = attr_count;
        if attr_count > 0 && attr_size == 0 {
            // Every index reads the same record: keep it once, or a 40-byte element could
            // claim 65535 attributes (Android reads them lazily; this view would store them).
            an.push(Anomaly::new(
                codes::BAD_ATTRIBUTE_SIZE,
                Some(ext_at),
                format!(
                    "attributeSize 0: Android reads the same record for all {attr_count} \
                     attribute indexes; kept once"
                ),
            ));
            count = 1;
        } else if attr_count > 0 && attr_size < ATTR_LEN {
            an.push(Anomaly::new(
                codes::BAD_ATTRIBUTE_SIZE,
                Some(ext_at),
                format!(
                    "attributeSize {attr_size} (a record is {ATTR_LEN} bytes): Android \
                     reads the records {attr_size} bytes apart, overlapping, and so does \
                     this decoder"
                ),
            ));
        }
        let base = place.pos.saturating_add(ext_off).saturating_add(attr_start);
        (place.input, 0, base, attr_size, count)
    } else {
        let mut stride = attr_size;
        if attr_count > 0 && attr_size < ATTR_LEN {
            an.push(Anomaly::new(
                codes::BAD_ATTRIBUTE_SIZE,
                Some(ext_at),
                format!("attributeSize {attr_size}, using {ATTR_LEN}"),
            ));
            stride = ATTR_LEN;
        }
        let base = ext_off.saturating_add(attr_start);
        let room = chunk
            .len()
            .saturating_sub(base)
            .checked_div(stride)
            .unwrap_or(0);
        let mut count = attr_count;
        if attr_count > room {
            an.push(Anomaly::new(
                codes::ATTRIBUTE_COUNT_CLAMPED,
                Some(ext_at),
                format!("attributeCount {attr_count} but the chunk holds {room}"),
            ));
            count = room;
        }
        (chunk, place.at, base, stride, count)
    }
}

/// Where a node chunk sits and how to lay it out.
#[derive(Clone, Copy)]
struct Place<'a> {
    /// The whole input (Android reads attribute records from its buffer, even past the chunk).
    input: &'a [u8],
    /// Offset of the chunk in `input`.
    pos: usize,
    /// The same, for anomalies.
    at: u64,
    /// Honour `headerSize` and `attributeSize` as Android does (Android accepts the document so
    /// far), or use the standard sizes.
    mirror: bool,
}

/// What a node needs to resolve strings and attribute IDs.
struct NodeCx<'p, 'a> {
    strings: Strings<'p, 'a>,
    resmap: &'a [u8],
}

impl NodeCx<'_, '_> {
    fn resource_id(&self, name_idx: u32) -> Option<u32> {
        let off = us(name_idx).checked_mul(4)?;
        u32_at(self.resmap, off).filter(|&id| id != 0)
    }

    fn string(&mut self, idx: u32, at: u64) -> Option<String> {
        self.strings.get(idx, at)
    }
}

/// Builds the element tree with an explicit stack.
#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Element>,
    root: Option<Element>,
    namespaces: Vec<Namespace>,
    pending_ns: Vec<Namespace>,
    /// Open elements beyond [`MAX_DEPTH`], flattened into the deepest kept one.
    overflow: usize,
    /// Open elements of a dropped subtree (extra roots).
    skip: usize,
    nodes: usize,
    attributes: usize,
    depth_reported: bool,
    unclosed_reported: bool,
}

impl TreeBuilder {
    /// Handles one node chunk; `false` stops decoding (limits reached).
    fn node(
        &mut self,
        cx: &mut NodeCx<'_, '_>,
        h: ChunkHeader,
        chunk: &[u8],
        place: Place<'_>,
    ) -> bool {
        let at = place.at;
        let hs = usize::from(h.header_size);
        // ResXMLParser::nextNode: the extension is at `node + headerSize`.
        let ext_off = if hs == NODE_HEADER_LEN {
            NODE_HEADER_LEN
        } else if place.mirror {
            cx.strings.anomalies.push(Anomaly::new(
                codes::NONSTANDARD_HEADER_SIZE,
                Some(at),
                format!(
                    "node type {:#06x} headerSize {hs} (standard {NODE_HEADER_LEN}): Android \
                     reads its extension at +{hs:#x}, skipping {} bytes (ResXMLParser::nextNode)",
                    h.ty,
                    hs.saturating_sub(NODE_HEADER_LEN)
                ),
            ));
            hs
        } else {
            cx.strings.anomalies.push(Anomaly::new(
                codes::BAD_HEADER_SIZE,
                Some(at),
                format!(
                    "node type {:#06x} headerSize {hs} (standard {NODE_HEADER_LEN}); using the \
                     standard size",
                    h.ty
                ),
            ));
            NODE_HEADER_LEN
        };
        let line = u32_at(chunk, 8).unwrap_or(0);
        let ext = chunk.get(ext_off..).unwrap_or_default();
        let ext_at = at.saturating_add(off64(ext_off));
        let need = match h.ty {
            START_NAMESPACE | END_NAMESPACE | END_ELEMENT => NS_EXT_LEN,
            START_ELEMENT => ATTR_EXT_LEN,
            _ => CDATA_EXT_LEN,
        };
        if ext.len() < need {
            cx.strings.anomalies.push(Anomaly::new(
                codes::TRUNCATED_NODE,
                Some(at),
                format!(
                    "node type {:#06x} has {} extension bytes, needs {need}",
                    h.ty,
                    ext.len()
                ),
            ));
            return true;
        }
        let w = |o: usize| u32_at(ext, o).unwrap_or(NO_INDEX);
        match h.ty {
            START_NAMESPACE => {
                let prefix = cx.string(w(0), ext_at);
                let uri = cx.string(w(4), ext_at).unwrap_or_default();
                let ns = Namespace {
                    prefix,
                    uri,
                    offset: at,
                };
                if self.namespaces.len() < MAX_NODES {
                    self.namespaces.push(ns.clone());
                    self.pending_ns.push(ns);
                }
                true
            }
            END_NAMESPACE => true,
            START_ELEMENT => self.start(cx, chunk, ext_off, place, line),
            END_ELEMENT => {
                let name = cx.string(w(4), ext_at).unwrap_or_default();
                self.end(&name, at, cx.strings.anomalies);
                true
            }
            _ => {
                let text = cx.string(w(0), ext_at).unwrap_or_default();
                self.text(Text { text, offset: at }, cx.strings.anomalies)
            }
        }
    }

    fn count_node(&mut self, at: u64, an: &mut Vec<Anomaly>) -> bool {
        self.nodes = self.nodes.saturating_add(1);
        if self.nodes > MAX_NODES {
            an.push(Anomaly::new(
                codes::NODE_LIMIT,
                Some(at),
                format!("more than {MAX_NODES} nodes"),
            ));
            return false;
        }
        true
    }

    /// A start-element node whose extension is at `ext_off` in `chunk`.
    fn start(
        &mut self,
        cx: &mut NodeCx<'_, '_>,
        chunk: &[u8],
        ext_off: usize,
        place: Place<'_>,
        line: u32,
    ) -> bool {
        let at = place.at;
        if self.skip > 0 {
            self.skip = self.skip.saturating_add(1);
            return true;
        }
        if !self.count_node(at, cx.strings.anomalies) {
            return false;
        }
        if self.stack.is_empty() && self.root.is_some() {
            cx.strings.anomalies.push(Anomaly::new(
                codes::MULTIPLE_ROOTS,
                Some(at),
                "second top-level element dropped",
            ));
            self.skip = 1;
            return true;
        }
        let ext = chunk.get(ext_off..).unwrap_or_default();
        let ext_at = at.saturating_add(off64(ext_off));
        let ns_idx = u32_at(ext, 0).unwrap_or(NO_INDEX);
        let name_idx = u32_at(ext, 4).unwrap_or(NO_INDEX);
        let attr_count = usize::from(u16_at(ext, 12).unwrap_or(0));
        let namespace = cx.string(ns_idx, ext_at);
        let name = cx.string(name_idx, ext_at).unwrap_or_default();
        let (src, origin, base, stride, count) =
            attribute_layout(cx.strings.anomalies, chunk, ext_off, place);
        let mut attributes = Vec::with_capacity(count);
        for i in 0..count {
            self.attributes = self.attributes.saturating_add(1);
            if self.attributes > MAX_ATTRIBUTES {
                cx.strings.anomalies.push(Anomaly::new(
                    codes::NODE_LIMIT,
                    Some(at),
                    format!("more than {MAX_ATTRIBUTES} attributes"),
                ));
                return false;
            }
            let off = i
                .checked_mul(stride)
                .and_then(|o| o.checked_add(base))
                .unwrap_or(usize::MAX);
            let a_at = origin.saturating_add(off64(off));
            let rd = |o: usize| off.checked_add(o).and_then(|p| u32_at(src, p));
            let (Some(a_ns), Some(a_name), Some(a_raw), Some(tv), Some(data)) =
                (rd(0), rd(4), rd(8), rd(12), rd(16))
            else {
                cx.strings.anomalies.push(Anomaly::new(
                    codes::ATTRIBUTE_COUNT_CLAMPED,
                    Some(a_at),
                    format!(
                        "attribute record {i} of {attr_count} runs past the end of the input \
                         (Android would read outside the file); dropped with the rest"
                    ),
                ));
                break;
            };
            let data_type = u8::try_from(tv >> 24).unwrap_or(0);
            attributes.push(self.attribute(cx, a_at, a_ns, a_name, a_raw, data_type, data));
        }
        let el = Element {
            namespace,
            name,
            attributes,
            children: Vec::new(),
            namespace_decls: std::mem::take(&mut self.pending_ns),
            line,
            offset: at,
        };
        if self.stack.len() >= MAX_DEPTH {
            if !self.depth_reported {
                self.depth_reported = true;
                cx.strings.anomalies.push(Anomaly::new(
                    codes::DEPTH_LIMIT,
                    Some(at),
                    format!("elements nested deeper than {MAX_DEPTH}; flattened"),
                ));
            }
            self.overflow = self.overflow.saturating_add(1);
            if let Some(top) = self.stack.last_mut() {
                top.children.push(Node::Element(el));
            }
        } else {
            self.stack.push(el);
        }
        true
    }

    #[allow(clippy::too_many_arguments, clippy::unused_self)] // one attribute record's fields
    fn attribute(
        &self,
        cx: &mut NodeCx<'_, '_>,
        at: u64,
        ns: u32,
        name_idx: u32,
        raw: u32,
        data_type: u8,
        data: u32,
    ) -> Attribute {
        let namespace = cx.string(ns, at);
        let pool_name = cx.string(name_idx, at);
        let resource_id = cx.resource_id(name_idx);
        let (name, raw_name) = match resource_id.and_then(attrs::name_of) {
            Some(real) if pool_name.as_deref() != Some(real) => {
                cx.strings.anomalies.push(Anomaly::new(
                    codes::ATTRIBUTE_NAME_FROM_RESOURCE_ID,
                    Some(at),
                    format!(
                        "attribute name string {:?} but resource id {:#010x} is android:{real}",
                        pool_name.as_deref().unwrap_or(""),
                        resource_id.unwrap_or(0)
                    ),
                ));
                (real.to_owned(), Some(pool_name.unwrap_or_default()))
            }
            Some(real) => (real.to_owned(), None),
            None => (pool_name.unwrap_or_default(), None),
        };
        let raw_value = cx.string(raw, at);
        let value = Value::from_raw(data_type, data, |i| cx.string(i, at));
        Attribute {
            namespace,
            name,
            raw_name,
            resource_id,
            raw_value,
            value,
            offset: at,
        }
    }

    fn end(&mut self, name: &str, at: u64, an: &mut Vec<Anomaly>) {
        if self.skip > 0 {
            self.skip = self.skip.saturating_sub(1);
            return;
        }
        if self.overflow > 0 {
            self.overflow = self.overflow.saturating_sub(1);
            return;
        }
        let Some(el) = self.stack.pop() else {
            an.push(Anomaly::new(
                codes::UNBALANCED_END_ELEMENT,
                Some(at),
                format!("</{name}> with no open element"),
            ));
            return;
        };
        if el.name != name {
            an.push(Anomaly::new(
                codes::MISMATCHED_END_ELEMENT,
                Some(at),
                format!("</{name}> closes <{}>", el.name),
            ));
        }
        self.attach(el);
    }

    fn attach(&mut self, el: Element) {
        if let Some(top) = self.stack.last_mut() {
            top.children.push(Node::Element(el));
        } else if self.root.is_none() {
            self.root = Some(el);
        }
    }

    fn text(&mut self, t: Text, an: &mut Vec<Anomaly>) -> bool {
        if self.skip > 0 {
            return true;
        }
        if !self.count_node(t.offset, an) {
            return false;
        }
        if let Some(top) = self.stack.last_mut() {
            top.children.push(Node::Text(t));
        } else {
            an.push(Anomaly::new(
                codes::TEXT_OUTSIDE_ROOT,
                Some(t.offset),
                "text outside root",
            ));
        }
        true
    }

    fn finish(&mut self, an: &mut Vec<Anomaly>) -> Option<Element> {
        while let Some(el) = self.stack.pop() {
            if !self.unclosed_reported {
                self.unclosed_reported = true;
                an.push(Anomaly::new(
                    codes::UNCLOSED_ELEMENT,
                    Some(el.offset),
                    format!("<{}> (and maybe its ancestors) never closed", el.name),
                ));
            }
            self.attach(el);
        }
        self.root.take()
    }
}
