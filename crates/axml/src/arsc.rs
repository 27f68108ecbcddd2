//! `resources.arsc` (`ResTable`) decoding: enough to resolve the references a manifest uses.
//!
//! Follows AOSP `libs/androidfw` (`LoadedArsc`, `ResourceTypes.h`). Handles sparse types
//! (`FLAG_SPARSE`), 16-bit offsets (`FLAG_OFFSET16`), compact entries (`FLAG_COMPACT`), skips
//! complex (bag) entries, shared-library and unknown chunks, and never allocates from an
//! unchecked count.

use crate::bytes::{CHUNK_HEADER_LEN, ChunkHeader, off64, u8_at, u16_at, u32_at, us};
use crate::strpool::{Budget, StringPool, Strings};
use crate::value::{TYPE_DYNAMIC_REFERENCE, TYPE_REFERENCE, TYPE_STRING, Value};
use crate::{Anomaly, Error, Result, codes};
use serde::Serialize;
use std::collections::BTreeMap;

/// Most entries kept from one table.
pub const MAX_ENTRIES: usize = 1 << 22;
/// Most packages read from one table.
pub const MAX_PACKAGES: usize = 256;
/// Reference chains followed at most this deep.
pub const MAX_REFERENCE_DEPTH: usize = 8;

/// `RES_TABLE_TYPE`.
const RES_TABLE_TYPE: u16 = 0x0002;
/// `RES_STRING_POOL_TYPE`.
const RES_STRING_POOL_TYPE: u16 = 0x0001;
/// `RES_TABLE_PACKAGE_TYPE`.
const PACKAGE_TYPE: u16 = 0x0200;
/// `RES_TABLE_TYPE_TYPE`.
const TYPE_TYPE: u16 = 0x0201;
/// `RES_TABLE_TYPE_SPEC_TYPE`.
const TYPE_SPEC_TYPE: u16 = 0x0202;
/// `RES_TABLE_LIBRARY_TYPE`.
const LIBRARY_TYPE: u16 = 0x0203;
/// `RES_TABLE_OVERLAYABLE_TYPE`, `..._POLICY_TYPE`, `RES_TABLE_STAGED_ALIAS_TYPE`: known, unused.
const OVERLAYABLE_TYPE: u16 = 0x0204;
const OVERLAYABLE_POLICY_TYPE: u16 = 0x0205;
const STAGED_ALIAS_TYPE: u16 = 0x0206;
/// `sizeof(ResTable_header)`.
const TABLE_HEADER_LEN: usize = 12;
/// `sizeof(ResTable_package)` (older tables omit `typeIdOffset`: 284).
const PACKAGE_HEADER_LEN: usize = 288;
const PACKAGE_HEADER_LEN_OLD: usize = 284;
/// Offset of `ResTable_type::config` in a type chunk.
const TYPE_CONFIG_OFFSET: usize = 20;
/// `ResTable_type::FLAG_SPARSE`.
pub const FLAG_SPARSE: u8 = 0x01;
/// `ResTable_type::FLAG_OFFSET16`.
pub const FLAG_OFFSET16: u8 = 0x02;
/// `ResTable_entry::FLAG_COMPLEX`.
const ENTRY_FLAG_COMPLEX: u16 = 0x0001;
/// `ResTable_entry::FLAG_COMPACT`.
pub const ENTRY_FLAG_COMPACT: u16 = 0x0008;
/// `ResTable_type::NO_ENTRY`.
const NO_ENTRY: u32 = u32::MAX;
/// 16-bit "no entry".
const NO_ENTRY16: u16 = u16::MAX;

/// A decoded resource table.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ResourceTable {
    /// Packages in file order.
    pub packages: Vec<Package>,
    /// Shared libraries referenced by the packages (`RES_TABLE_LIBRARY_TYPE`): id and name.
    pub libraries: Vec<(u32, String)>,
    /// What was odd about the input (codes in [`crate::codes`]).
    pub anomalies: Vec<Anomaly>,
    #[serde(skip)]
    strings: Vec<String>,
    #[serde(skip)]
    entries: BTreeMap<u32, Vec<Entry>>,
    #[serde(skip)]
    total: usize,
}

/// A package chunk.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Package {
    /// Package ID (0x7f for apps, 0x01 for the framework, 0 for shared libraries).
    pub id: u32,
    /// Package name.
    pub name: String,
    /// Type names (`string`, `xml`, …) by type index.
    pub type_names: Vec<String>,
    /// `typeIdOffset` from the header.
    pub type_id_offset: u32,
    /// Entries decoded from this package.
    pub entry_count: usize,
    /// Byte offset of the package chunk.
    pub offset: u64,
    #[serde(skip)]
    keys: Vec<String>,
}

/// One configuration's value of one resource.
#[derive(Debug, Clone)]
struct Entry {
    /// Whether the configuration is the default one (all qualifiers zero).
    default_config: bool,
    /// Index of the package in `packages`.
    package: usize,
    /// Key string index.
    key: u32,
    /// `(dataType, data)`; `None` for complex (bag) entries.
    value: Option<(u8, u32)>,
}

impl ResourceTable {
    fn entries_of(&self, id: u32) -> Option<&Vec<Entry>> {
        self.entries.get(&id).or_else(|| {
            // Shared-library packages (id 0) are loaded as 0x7f when they are the app itself.
            if id >> 24 == 0x7f {
                self.entries.get(&(id & 0x00ff_ffff))
            } else {
                None
            }
        })
    }

    /// The entry Android would pick without a device configuration: the default config,
    /// else the first config that has the resource.
    fn pick(&self, id: u32) -> Option<&Entry> {
        let list = self.entries_of(id)?;
        list.iter()
            .find(|e| e.default_config && e.value.is_some())
            .or_else(|| list.iter().find(|e| e.value.is_some()))
    }

    /// The value of `id` in the default configuration (else the first that has it). Complex
    /// (bag) resources give `None`.
    pub fn value(&self, id: u32) -> Option<Value> {
        let (t, d) = self.pick(id)?.value?;
        Some(Value::from_raw(t, d, |i| self.strings.get(us(i)).cloned()))
    }

    /// The text of a string resource, following references up to [`MAX_REFERENCE_DEPTH`].
    pub fn resolve_string(&self, id: u32) -> Option<String> {
        let mut id = id;
        for _ in 0..MAX_REFERENCE_DEPTH {
            let (t, d) = self.pick(id)?.value?;
            match t {
                TYPE_STRING => return self.strings.get(us(d)).cloned(),
                TYPE_REFERENCE | TYPE_DYNAMIC_REFERENCE => id = d,
                _ => return None,
            }
        }
        None
    }

    /// `@type/key` for `id` (e.g. `@xml/network_security_config`).
    pub fn name(&self, id: u32) -> Option<String> {
        let e = self.entries_of(id)?.first()?;
        let pkg = self.packages.get(e.package)?;
        let type_idx = ((id >> 16) & 0xff)
            .checked_sub(1)?
            .checked_sub(pkg.type_id_offset)?;
        let ty = pkg.type_names.get(us(type_idx))?;
        let key = pkg.keys.get(us(e.key))?;
        Some(format!("@{ty}/{key}"))
    }

    /// Every string value in the table with the resource ID that holds it, in ID order (one
    /// item per configuration that has a string), for scanners that look through an app's
    /// strings. File paths of file resources (`res/xml/…`) are strings too.
    pub fn string_values(&self) -> impl Iterator<Item = (u32, &str)> + '_ {
        self.entries.iter().flat_map(move |(&id, list)| {
            list.iter().filter_map(move |e| match e.value {
                Some((TYPE_STRING, d)) => self.strings.get(us(d)).map(|s| (id, s.as_str())),
                _ => None,
            })
        })
    }

    /// Number of resource IDs with at least one entry.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Decodes `resources.arsc`. Fails only when the input is shorter than a table header, or
/// declares packages of which none could be read.
pub fn parse(data: &[u8]) -> Result<ResourceTable> {
    let mut an = Vec::new();
    let hdr = ChunkHeader::read_first(
        data,
        RES_TABLE_TYPE,
        "resource table header",
        TABLE_HEADER_LEN,
        &mut an,
    )?;
    if usize::from(hdr.header_size) != TABLE_HEADER_LEN {
        an.push(Anomaly::new(
            codes::BAD_HEADER_SIZE,
            Some(0),
            format!(
                "table headerSize {} (standard {TABLE_HEADER_LEN})",
                hdr.header_size
            ),
        ));
    }
    let declared_packages = u32_at(data, 8).unwrap_or(0);
    let end = clamp_size(us(hdr.size), data.len(), 0, &mut an);
    let data = data.get(..end).unwrap_or(data);
    let mut t = ResourceTable::default();
    let mut budget = Budget::default();
    let mut pool_seen = false;
    let mut global = StringPool::default();
    for (at, h, chunk) in Chunks::new(data, TABLE_HEADER_LEN, 0, &mut an) {
        match h.ty {
            RES_STRING_POOL_TYPE if !pool_seen => {
                global = StringPool::parse(chunk, at, h, true, &mut t.anomalies);
                pool_seen = true;
            }
            RES_STRING_POOL_TYPE => t.anomalies.push(Anomaly::new(
                codes::DUPLICATE_STRING_POOL,
                Some(at),
                "extra global string pool ignored",
            )),
            PACKAGE_TYPE if t.packages.len() < MAX_PACKAGES => {
                parse_package(&mut t, chunk, at, h, &mut budget);
            }
            _ => t.anomalies.push(Anomaly::new(
                codes::UNKNOWN_CHUNK,
                Some(at),
                format!("table chunk type {:#06x} skipped", h.ty),
            )),
        }
    }
    // Decode the global pool once (values are resolved from it on demand).
    let count = global.len();
    let mut strings = Strings {
        pool: &global,
        budget: &mut budget,
        anomalies: &mut t.anomalies,
    };
    let decoded: Vec<String> = (0..count)
        .map(|i| strings.get(i, 0).unwrap_or_default())
        .collect();
    t.strings = decoded;
    an.append(&mut t.anomalies);
    if off64(t.packages.len()) != u64::from(declared_packages) {
        an.push(Anomaly::new(
            codes::PACKAGE_COUNT_MISMATCH,
            Some(8),
            format!(
                "packageCount {declared_packages}, found {}",
                t.packages.len()
            ),
        ));
    }
    t.anomalies = an;
    // An empty table (packageCount 0, as aapt writes for resource-less test APKs) is valid.
    if t.packages.is_empty() && declared_packages > 0 {
        return Err(Error::NoPackage {
            anomalies: t.anomalies,
        });
    }
    Ok(t)
}

/// Clamps a declared chunk size to what is available, recording why.
fn clamp_size(declared: usize, avail: usize, at: u64, an: &mut Vec<Anomaly>) -> usize {
    if declared > avail {
        an.push(Anomaly::new(
            codes::CHUNK_SIZE_PAST_END,
            Some(at),
            format!("size {declared:#x} past end ({avail:#x} available)"),
        ));
        avail
    } else if declared < CHUNK_HEADER_LEN {
        an.push(Anomaly::new(
            codes::BAD_CHUNK_SIZE,
            Some(at),
            format!("size {declared:#x}"),
        ));
        avail
    } else {
        if declared < avail {
            an.push(Anomaly::new(
                codes::TRAILING_DATA,
                Some(at.saturating_add(off64(declared))),
                format!(
                    "{} bytes after the declared size",
                    avail.saturating_sub(declared)
                ),
            ));
        }
        declared
    }
}

/// Iterates the child chunks of `data` from `start`, clamping sizes and stopping at a size
/// too small to make progress. `base` is the absolute offset of `data`.
struct Chunks<'d, 'a> {
    data: &'d [u8],
    pos: usize,
    base: u64,
    an: &'a mut Vec<Anomaly>,
}

impl<'d, 'a> Chunks<'d, 'a> {
    fn new(data: &'d [u8], start: usize, base: u64, an: &'a mut Vec<Anomaly>) -> Self {
        Chunks {
            data,
            pos: start,
            base,
            an,
        }
    }
}

impl<'d> Iterator for Chunks<'d, '_> {
    type Item = (u64, ChunkHeader, &'d [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let at = self.base.saturating_add(off64(self.pos));
        let rest = self.data.len().saturating_sub(self.pos);
        let Some(h) = ChunkHeader::read(self.data, self.pos) else {
            self.an.push(Anomaly::new(
                codes::TRAILING_DATA,
                Some(at),
                format!("{rest} bytes"),
            ));
            self.pos = self.data.len();
            return None;
        };
        let mut size = us(h.size);
        if size < CHUNK_HEADER_LEN {
            self.an.push(Anomaly::new(
                codes::BAD_CHUNK_SIZE,
                Some(at),
                format!("chunk type {:#06x} size {size:#x}; stopping", h.ty),
            ));
            self.pos = self.data.len();
            return None;
        }
        if size > rest {
            self.an.push(Anomaly::new(
                codes::CHUNK_SIZE_PAST_END,
                Some(at),
                format!(
                    "chunk type {:#06x} size {size:#x}, only {rest:#x} left",
                    h.ty
                ),
            ));
            size = rest;
        }
        let end = self.pos.saturating_add(size);
        let chunk = self.data.get(self.pos..end).unwrap_or_default();
        self.pos = end;
        Some((at, h, chunk))
    }
}

/// Reads the fixed-size UTF-16 package name.
fn package_name(chunk: &[u8]) -> String {
    let raw = chunk.get(12..268).unwrap_or_default();
    let units: Vec<u16> = raw
        .chunks_exact(2)
        .map(|c| <[u8; 2]>::try_from(c).map_or(0, u16::from_le_bytes))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

fn parse_package(
    t: &mut ResourceTable,
    chunk: &[u8],
    at: u64,
    h: ChunkHeader,
    budget: &mut Budget,
) {
    let id = u32_at(chunk, 8).unwrap_or(0);
    let type_strings = us(u32_at(chunk, 268).unwrap_or(0));
    let key_strings = us(u32_at(chunk, 276).unwrap_or(0));
    let mut header = usize::from(h.header_size);
    let type_id_offset = if header >= PACKAGE_HEADER_LEN {
        u32_at(chunk, 284).unwrap_or(0)
    } else {
        0
    };
    if header != PACKAGE_HEADER_LEN && header != PACKAGE_HEADER_LEN_OLD {
        t.anomalies.push(Anomaly::new(
            codes::BAD_HEADER_SIZE,
            Some(at),
            format!("package headerSize {header} (standard {PACKAGE_HEADER_LEN})"),
        ));
        header = PACKAGE_HEADER_LEN;
    }
    let pkg_index = t.packages.len();
    let mut pkg = Package {
        id,
        name: package_name(chunk),
        type_id_offset,
        offset: at,
        ..Package::default()
    };
    let mut type_pool: Option<StringPool<'_>> = None;
    let mut key_pool: Option<StringPool<'_>> = None;
    let mut types: Vec<(u64, ChunkHeader, &[u8])> = Vec::new();
    let mut an = Vec::new();
    for (c_at, ch, c) in Chunks::new(chunk, header, at, &mut an) {
        let rel = us(u32::try_from(c_at.saturating_sub(at)).unwrap_or(u32::MAX));
        match ch.ty {
            RES_STRING_POOL_TYPE => {
                let is_types = rel == type_strings || (type_pool.is_none() && rel != key_strings);
                let pool = StringPool::parse(c, c_at, ch, true, &mut t.anomalies);
                if is_types && type_pool.is_none() {
                    type_pool = Some(pool);
                } else if key_pool.is_none() {
                    key_pool = Some(pool);
                } else {
                    t.anomalies.push(Anomaly::new(
                        codes::DUPLICATE_STRING_POOL,
                        Some(c_at),
                        "extra package string pool ignored",
                    ));
                }
            }
            TYPE_TYPE => types.push((c_at, ch, c)),
            LIBRARY_TYPE => read_library(t, c),
            TYPE_SPEC_TYPE | OVERLAYABLE_TYPE | OVERLAYABLE_POLICY_TYPE | STAGED_ALIAS_TYPE => {}
            _ => t.anomalies.push(Anomaly::new(
                codes::UNKNOWN_CHUNK,
                Some(c_at),
                format!("package chunk type {:#06x} skipped", ch.ty),
            )),
        }
    }
    t.anomalies.append(&mut an);
    if let Some(p) = &type_pool {
        let mut s = Strings {
            pool: p,
            budget,
            anomalies: &mut t.anomalies,
        };
        pkg.type_names = (0..p.len())
            .map(|i| s.get(i, at).unwrap_or_default())
            .collect();
    }
    if let Some(p) = &key_pool {
        let mut s = Strings {
            pool: p,
            budget,
            anomalies: &mut t.anomalies,
        };
        pkg.keys = (0..p.len())
            .map(|i| s.get(i, at).unwrap_or_default())
            .collect();
    }
    for (c_at, ch, c) in types {
        pkg.entry_count = pkg
            .entry_count
            .saturating_add(read_type(t, pkg_index, id, c, c_at, ch));
    }
    t.packages.push(pkg);
}

fn read_library(t: &mut ResourceTable, c: &[u8]) {
    let count = us(u32_at(c, 8).unwrap_or(0));
    // ResTable_lib_entry: u32 packageId + char16_t[128] name.
    let body = c.get(12..).unwrap_or_default();
    for e in body.chunks_exact(260).take(count.min(MAX_PACKAGES)) {
        let id = u32_at(e, 0).unwrap_or(0);
        let units: Vec<u16> = e
            .get(4..)
            .unwrap_or_default()
            .chunks_exact(2)
            .map(|c| <[u8; 2]>::try_from(c).map_or(0, u16::from_le_bytes))
            .take_while(|&u| u != 0)
            .collect();
        t.libraries.push((id, String::from_utf16_lossy(&units)));
    }
}

/// Reads one `ResTable_type` chunk; returns the number of entries kept.
#[allow(clippy::too_many_lines)] // one pass over a type chunk's entry index
fn read_type(
    t: &mut ResourceTable,
    pkg_index: usize,
    pkg_id: u32,
    c: &[u8],
    at: u64,
    h: ChunkHeader,
) -> usize {
    let type_id = u8_at(c, 8).unwrap_or(0);
    let flags = u8_at(c, 9).unwrap_or(0);
    let claimed = us(u32_at(c, 12).unwrap_or(0));
    let entries_start = us(u32_at(c, 16).unwrap_or(0));
    if type_id == 0 {
        t.anomalies
            .push(Anomaly::new(codes::BAD_TYPE_ID, Some(at), "type id 0"));
        return 0;
    }
    // The header holds a variable-size ResTable_config, so its declared size is used.
    let header = usize::from(h.header_size);
    let config_size = us(u32_at(c, TYPE_CONFIG_OFFSET).unwrap_or(0));
    let config_end = TYPE_CONFIG_OFFSET
        .saturating_add(config_size)
        .min(header)
        .min(c.len());
    let default_config = c
        .get(TYPE_CONFIG_OFFSET.saturating_add(4)..config_end)
        .unwrap_or_default()
        .iter()
        .all(|&b| b == 0);
    let stride = if flags & (FLAG_SPARSE) != 0 {
        4
    } else if flags & FLAG_OFFSET16 != 0 {
        2
    } else {
        4
    };
    let index_end = if entries_start > header && entries_start <= c.len() {
        entries_start
    } else {
        c.len()
    };
    let room = index_end
        .saturating_sub(header)
        .checked_div(stride)
        .unwrap_or(0);
    let mut count = claimed;
    if claimed > room {
        t.anomalies.push(Anomaly::new(
            codes::ENTRY_COUNT_CLAMPED,
            Some(at.saturating_add(12)),
            format!("entryCount {claimed} but room for {room}"),
        ));
        count = room;
    }
    let base_id = (pkg_id << 24) | (u32::from(type_id) << 16);
    let mut kept = 0usize;
    for i in 0..count {
        let slot = header.saturating_add(i.saturating_mul(stride));
        let (index, rel) = if flags & FLAG_SPARSE != 0 {
            let (Some(idx), Some(off)) = (u16_at(c, slot), u16_at(c, slot.saturating_add(2)))
            else {
                break;
            };
            (u32::from(idx), us(u32::from(off)).saturating_mul(4))
        } else if flags & FLAG_OFFSET16 != 0 {
            match u16_at(c, slot) {
                Some(NO_ENTRY16) => continue,
                Some(o) => (
                    u32::try_from(i).unwrap_or(u32::MAX),
                    usize::from(o).saturating_mul(4),
                ),
                None => break,
            }
        } else {
            match u32_at(c, slot) {
                Some(NO_ENTRY) => continue,
                Some(o) => (u32::try_from(i).unwrap_or(u32::MAX), us(o)),
                None => break,
            }
        };
        if index > 0xffff {
            break;
        }
        let e_off = entries_start.saturating_add(rel);
        let Some((key, value)) = read_entry(c, e_off) else {
            t.anomalies.push(Anomaly::new(
                codes::BAD_ENTRY_OFFSET,
                Some(at.saturating_add(off64(e_off))),
                format!("entry {index} of type {type_id} outside its chunk"),
            ));
            continue;
        };
        if t.total >= MAX_ENTRIES {
            t.anomalies.push(Anomaly::new(
                codes::ENTRY_LIMIT,
                Some(at),
                format!("more than {MAX_ENTRIES} entries"),
            ));
            return kept;
        }
        t.entries.entry(base_id | index).or_default().push(Entry {
            default_config,
            package: pkg_index,
            key,
            value,
        });
        kept = kept.saturating_add(1);
        t.total = t.total.saturating_add(1);
    }
    kept
}

/// Reads a `ResTable_entry` (or compact entry) at `off`: key index and simple value.
fn read_entry(c: &[u8], off: usize) -> Option<(u32, Option<(u8, u32)>)> {
    let size = u16_at(c, off)?;
    let flags = u16_at(c, off.checked_add(2)?)?;
    if flags & ENTRY_FLAG_COMPACT != 0 {
        // Compact: { u16 key; u16 flags (dataType in the high byte); u32 data; }.
        let data = u32_at(c, off.checked_add(4)?)?;
        return Some((
            u32::from(size),
            Some((u8::try_from(flags >> 8).unwrap_or(0), data)),
        ));
    }
    let key = u32_at(c, off.checked_add(4)?)?;
    if flags & ENTRY_FLAG_COMPLEX != 0 {
        return Some((key, None));
    }
    let v = off.checked_add(usize::from(size))?;
    let data_type = u8_at(c, v.checked_add(3)?)?;
    let data = u32_at(c, v.checked_add(4)?)?;
    Some((key, Some((data_type, data))))
}
