//! Stable anomaly codes. Each constant's value is the `code` of an [`Anomaly`](crate::Anomaly).
//!
//! Codes never change meaning once released; new ones may be added.

// ---- container / chunk level (binary XML and resources.arsc) ----

/// The first chunk's type is not the expected one (`RES_XML_TYPE` 0x0003 for binary XML,
/// `RES_TABLE_TYPE` 0x0002 for `resources.arsc`). Decoding goes on: Android's
/// `ResXMLTree::setTo` does not look at it. Example: a manifest starting `00 00 08 00`.
pub const BAD_MAGIC: &str = "bad_magic";
/// A chunk's `headerSize` differs from the standard size for its type and is **not** used: the
/// standard size is used instead. In binary XML this happens when Android would refuse the
/// header (smaller than the type's minimum, larger than the chunk, not a multiple of 4: AOSP
/// `validate_chunk`) or the document is already refused (see [`ANDROID_BAD_DOCUMENT`]); in
/// `resources.arsc` for table and package headers. Example: a namespace node of 24 bytes with
/// `headerSize = 0x20`.
pub const BAD_HEADER_SIZE: &str = "bad_header_size";
/// A chunk's `headerSize` differs from the standard size for its type (it is larger, except for
/// a crafted document header), passes Android's checks, and is honoured as Android honours it:
/// the document's first chunk is at `headerSize` (`ResXMLTree::setTo`), a
/// string pool's offsets at `pool + headerSize` (`ResStringPool::setTo`), a resource map's IDs
/// at `map + headerSize`, a node's extension at `node + headerSize`
/// (`ResXMLParser::nextNode`). The skipped bytes can hold decoys that tools assuming the
/// standard size decode instead of what Android sees. Example: a start-element node with
/// `headerSize = 0x24` whose 20 extra bytes hold a fake attribute extension.
pub const NONSTANDARD_HEADER_SIZE: &str = "nonstandard_header_size";
/// Android's own binary XML parser stops at this offset: `ResXMLTree::setTo` fails
/// (`BAD_TYPE`: bad document header, a chunk failing `validate_chunk`, a string pool
/// `ResStringPool::setTo` refuses, no string pool, no root node) or `ResXMLParser::nextNode`
/// returns `BAD_DOCUMENT` (a node failing `ResXMLTree::validateNode`, an extension shorter than
/// its struct). `detail` names the check. Before the root element closes this means Android
/// refuses the file (a manifest does not parse: the package does not install); after it,
/// readers that stop at the root's end tag (the package manager) are unaffected. Reported once,
/// at the first such point; from there on the decoder goes on best-effort with the standard
/// header sizes.
pub const ANDROID_BAD_DOCUMENT: &str = "android_bad_document";
/// A chunk's `size` runs past the end of the buffer (or of its parent); it is clamped.
pub const CHUNK_SIZE_PAST_END: &str = "chunk_size_past_end";
/// A chunk's `size` is smaller than its header (a zero size would loop forever); decoding of
/// the enclosing sequence stops there.
pub const BAD_CHUNK_SIZE: &str = "bad_chunk_size";
/// A chunk's `size` is not a multiple of 4 (Android's `validate_chunk` rejects this: see
/// [`ANDROID_BAD_DOCUMENT`]).
pub const MISALIGNED_CHUNK: &str = "misaligned_chunk";
/// Bytes after the document's declared size, or after the last chunk, were ignored.
pub const TRAILING_DATA: &str = "trailing_data";
/// A chunk of an unknown or unexpected type was skipped.
pub const UNKNOWN_CHUNK: &str = "unknown_chunk";

// ---- string pools ----

/// A string pool is missing: every string reference resolves to nothing. Android refuses such
/// a binary XML document (`ResXMLTree::setTo` returns the pool's `NO_INIT`).
pub const MISSING_STRING_POOL: &str = "missing_string_pool";
/// A second string pool appeared where one was expected; as in Android, the later one wins
/// (binary XML) or it is ignored (`resources.arsc`).
pub const DUPLICATE_STRING_POOL: &str = "duplicate_string_pool";
/// A string pool's `stringCount`/`styleCount` claims more entries than its chunk can hold;
/// the count is clamped to what fits (a pool claiming 4 billion strings allocates nothing).
pub const STRING_COUNT_CLAMPED: &str = "string_count_clamped";
/// A string pool's `stringsStart`/`stylesStart` points outside its chunk.
pub const STRING_POOL_BAD_OFFSET: &str = "string_pool_bad_offset";
/// A reference to string index ≥ the pool's count; the value becomes empty/`None`.
pub const STRING_INDEX_OUT_OF_RANGE: &str = "string_index_out_of_range";
/// A string could not be decoded (its length runs past the pool, or its offset is outside
/// it); it becomes empty.
pub const BAD_STRING: &str = "bad_string";
/// A string's bytes are not valid UTF-8/UTF-16 or lack the NUL terminator; decoded lossily.
pub const STRING_ENCODING: &str = "string_encoding";
/// Decoded text exceeded the output budget (overlapping strings referenced many times could
/// otherwise expand a small input into gigabytes); later strings become empty.
pub const OUTPUT_BUDGET_EXCEEDED: &str = "output_budget_exceeded";

// ---- binary XML tree ----

/// A string pool or resource map chunk appeared after the first XML node; Android ignores it,
/// and so does this decoder (Android's `ResXMLParser::nextNode` skips it as an unknown node,
/// or stops with `BAD_DOCUMENT` when its `headerSize` is below 16, as a resource map's is).
pub const LATE_CHUNK: &str = "late_chunk";
/// The resource-ID map's payload is not a multiple of 4 bytes.
pub const RESOURCE_MAP_MISALIGNED: &str = "resource_map_misaligned";
/// An attribute's name was taken from its resource ID because the name string was empty or
/// named something else (an obfuscation trick: Android identifies manifest attributes by
/// resource ID). `detail` names both.
pub const ATTRIBUTE_NAME_FROM_RESOURCE_ID: &str = "attribute_name_from_resource_id";
/// An element's `attributeCount` claims more attributes than its chunk holds (or, with an
/// `attributeSize` below 20, a record runs past the end of the input); clamped.
pub const ATTRIBUTE_COUNT_CLAMPED: &str = "attribute_count_clamped";
/// An element's `attributeSize` is smaller than a `ResXMLTree_attribute` (20). Android does not
/// require 20: it reads record `i` at `attributeStart + attributeSize * i`, so records overlap
/// (with 0, every index reads the same record: it is kept once, so a tiny element cannot
/// claim 65535 attributes), and this decoder does the same while Android accepts the document;
/// in a document Android refuses, 20 is used.
pub const BAD_ATTRIBUTE_SIZE: &str = "bad_attribute_size";
/// A node chunk is too small for its fixed fields; it is skipped.
pub const TRUNCATED_NODE: &str = "truncated_node";
/// Elements nest deeper than [`crate::xml::MAX_DEPTH`]; deeper elements are attached to the
/// deepest allowed parent.
pub const DEPTH_LIMIT: &str = "depth_limit";
/// The document has more nodes or attributes than [`crate::xml::MAX_NODES`] /
/// [`crate::xml::MAX_ATTRIBUTES`]; the rest is dropped.
pub const NODE_LIMIT: &str = "node_limit";
/// An end-element with no open element.
pub const UNBALANCED_END_ELEMENT: &str = "unbalanced_end_element";
/// An end-element whose name differs from the open element's (Android does not check).
pub const MISMATCHED_END_ELEMENT: &str = "mismatched_end_element";
/// Elements still open at the end of the document were closed.
pub const UNCLOSED_ELEMENT: &str = "unclosed_element";
/// A second top-level element; Android's manifest parser reads only the first, and it is
/// dropped here.
pub const MULTIPLE_ROOTS: &str = "multiple_roots";
/// Text outside the root element was dropped.
pub const TEXT_OUTSIDE_ROOT: &str = "text_outside_root";

// ---- text XML rendering ----
//
// These come from [`crate::render_xml`], not from decoding: they say what the text XML shows
// differently from the binary document so that it stays well-formed XML 1.0 with Namespaces
// (binary XML strings can hold anything, and Android identifies attributes by resource ID, so
// it does not care). Each `detail` quotes the original (Rust escapes, long strings cut) and
// the replacement. At most 100 of each code are listed; one more anomaly counts the rest.

/// An element or attribute name is not an XML name (an `NCName`): it is empty, holds a
/// character names cannot hold (space, `<`, `:`, a control character, …) or starts with one
/// names cannot start with (a digit, `-`, `.`). Characters names cannot hold are written as
/// `_`, a name starting with a digit, `-` or `.` gets a `_` in front, an empty name is written
/// `_`, and an attribute named `xmlns` (it would read as a namespace declaration) is written
/// `_xmlns`. Reported once per distinct name. Example: the attribute `bad name!` is written
/// `bad_name_`, the element `1x` is written `_1x`.
pub const XML_NAME_REPLACED: &str = "xml_name_replaced";
/// A namespace prefix cannot be written as it is. Every namespace is declared once, on the root
/// element, so a prefix must be an `NCName`, not `xml` or `xmlns` (unless it is `xml` for the
/// XML namespace), and unique in the document. A prefix that is not an `NCName` is sanitised as
/// names are ([`XML_NAME_REPLACED`]; an empty prefix becomes `_`); a reserved prefix, a missing
/// one, or one already naming another namespace is replaced by a generated `nsN` not otherwise
/// used; the XML namespace is always written with `xml`. Example: `xmlns:1a="urn:x"` is written
/// `xmlns:_1a="urn:x"`, and a second `xmlns:a="urn:y"` in the same document `xmlns:ns0="urn:y"`.
pub const XML_PREFIX_REPLACED: &str = "xml_prefix_replaced";
/// A namespace declaration with an empty URI was dropped: `xmlns:p=""` is not allowed in XML
/// 1.0 Namespaces. Elements and attributes with an empty namespace URI are written without a
/// namespace. Reported once per prefix. Example: the LIAPP packer's
/// `xmlns:Liapp_Empty_00=""`, whose prefix it puts on the application's attributes.
pub const XML_NAMESPACE_DROPPED: &str = "xml_namespace_dropped";
/// A namespace URI is written differently: characters XML 1.0 cannot carry become U+FFFD, the
/// reserved `http://www.w3.org/2000/xmlns/` (which must not be declared) and a URI equal to
/// another namespace's (after that replacement) get `#2`, `#3`, … appended, so every namespace
/// of the document stays distinct. Example: `urn:a\u{1}` is written `urn:a\u{fffd}`.
pub const XML_NAMESPACE_URI_REPLACED: &str = "xml_namespace_uri_replaced";
/// An element or attribute is in a namespace that no namespace chunk declares (packers strip
/// them; Android does not need them): it is declared on the root element with prefix `android`
/// for the Android namespace (when free), else a generated `nsN` (the XML namespace needs no
/// declaration: it is written with `xml`).
/// Reported once per namespace, at its first use.
pub const XML_NAMESPACE_UNDECLARED: &str = "xml_namespace_undeclared";
/// An element has two attributes with the same namespace and name, in the file (Android reads
/// the first) or once names were sanitised: the later ones are written `name_2`, `name_3`, …
/// (a suffix no other attribute of the element uses). Example: two `android:name` attributes,
/// the second written `android:name_2`.
pub const XML_DUPLICATE_ATTRIBUTE: &str = "xml_duplicate_attribute";
/// Text, an attribute value or a namespace URI holds characters XML 1.0 cannot carry, not even
/// as character references (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF; lone
/// surrogates are already U+FFFD after decoding, see [`STRING_ENCODING`]): they are written as
/// U+FFFD. Example: `package="a\u{1}"` is written `package="a\u{fffd}"`.
pub const XML_CHARACTER_REPLACED: &str = "xml_character_replaced";
/// The document has no root element (only a hand-built [`Document`](crate::Document) can be
/// so: decoding fails without one); an empty `<no-root-element/>` is written so that the
/// output is still an XML document.
pub const XML_NO_ROOT: &str = "xml_no_root";

// ---- resources.arsc ----

/// The table header's `packageCount` differs from the packages found.
pub const PACKAGE_COUNT_MISMATCH: &str = "package_count_mismatch";
/// A type chunk's entry offset points outside the chunk.
pub const BAD_ENTRY_OFFSET: &str = "bad_entry_offset";
/// A type chunk's `entryCount` claims more entries than fit; clamped.
pub const ENTRY_COUNT_CLAMPED: &str = "entry_count_clamped";
/// A type chunk's id is 0 or has no name in the type string pool.
pub const BAD_TYPE_ID: &str = "bad_type_id";
/// More entries than [`crate::arsc::MAX_ENTRIES`]; the rest are dropped.
pub const ENTRY_LIMIT: &str = "entry_limit";

// ---- typed manifest ----

/// The root element is not `<manifest>` (Android refuses such a package; fields are still
/// read best-effort).
pub const ROOT_NOT_MANIFEST: &str = "root_not_manifest";
/// `<manifest>` has no `package` attribute.
pub const MISSING_PACKAGE: &str = "missing_package";
/// More than one `<application>`; Android uses the first, so does this.
pub const DUPLICATE_APPLICATION: &str = "duplicate_application";
/// An attribute that should be an integer or boolean holds something that does not convert.
pub const BAD_ATTRIBUTE_VALUE: &str = "bad_attribute_value";
/// A component has no `android:name`.
pub const COMPONENT_WITHOUT_NAME: &str = "component_without_name";
