//! Opening the archive: end records, central directory, local headers.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use crate::anomaly::{Collector, codes};
use crate::budget::Budget;
use crate::bytes::{add, le16, le32, le64, slice, u64_of, usize_of};
use crate::signing::{self, SigningBlock};
use crate::{Anomaly, Error, Options, Result};

/// End of central directory record signature (`PK\x05\x06`).
const EOCD_SIG: u32 = 0x0605_4b50;
/// Fixed part of the EOCD record.
const EOCD_LEN: usize = 22;
/// The EOCD comment is at most this long, so the record starts at most
/// this far (plus [`EOCD_LEN`]) before the end.
const MAX_COMMENT_LEN: usize = 0xffff;
/// Zip64 end of central directory locator signature (`PK\x06\x07`).
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
/// Zip64 locator length.
const ZIP64_LOCATOR_LEN: usize = 20;
/// Zip64 end of central directory record signature (`PK\x06\x06`).
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
/// Fixed part of the zip64 EOCD record.
const ZIP64_EOCD_LEN: usize = 56;
/// Central directory file header signature (`PK\x01\x02`).
const CD_SIG: u32 = 0x0201_4b50;
/// Fixed part of a central directory file header.
const CD_LEN: usize = 46;
/// Local file header signature (`PK\x03\x04`).
const LOCAL_SIG: u32 = 0x0403_4b50;
/// Fixed part of a local file header.
const LOCAL_LEN: usize = 30;
/// Optional data descriptor signature (`PK\x07\x08`).
const DATA_DESCRIPTOR_SIG: u32 = 0x0807_4b50;
/// Zip64 extended information extra field id.
const ZIP64_EXTRA_ID: u16 = 0x0001;
/// General-purpose flag bit 0: "encrypted".
pub(crate) const FLAG_ENCRYPTED: u16 = 1;
/// General-purpose flag bit 3: sizes and crc follow the data.
pub(crate) const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
/// Method 0.
pub(crate) const METHOD_STORED: u16 = 0;
/// Method 8.
pub(crate) const METHOD_DEFLATE: u16 = 8;
/// 32-bit field value meaning "see the zip64 extra field".
const ZIP64_MARK32: u32 = u32::MAX;
/// apksig pads the entries so the signing block starts on this boundary.
const SIGNING_BLOCK_ALIGNMENT: usize = 4096;
/// Dex magic prefix, for Janus-style prepended data.
const DEX_MAGIC: &[u8] = b"dex\n";
/// Note appended to local header mismatch details.
const LIBZIPARCHIVE_NOTE: &str = "the central directory wins; modern libziparchive refuses \
                                  size, crc and name mismatches when there is no data descriptor";

/// One central directory entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Position in the central directory (0-based).
    pub index: usize,
    /// Name as text (invalid UTF-8 replaced by U+FFFD). For display and
    /// lookup; never use it as a file-system path.
    pub name: String,
    /// The name's raw bytes as the central directory has them.
    pub raw_name: Vec<u8>,
    /// Compression method from the central directory (0 stored, 8 deflate;
    /// anything else is read as stored).
    pub method: u16,
    /// General-purpose flags from the central directory.
    pub flags: u16,
    /// Compressed size (zip64 resolved).
    pub compressed_size: u64,
    /// Declared uncompressed size (zip64 resolved). Never trusted for
    /// allocation.
    pub uncompressed_size: u64,
    /// Declared CRC-32.
    pub crc32: u32,
    /// Local header offset as declared (zip64 resolved, before any
    /// [`codes::ARCHIVE_OFFSET_SHIFTED`] correction).
    pub local_header_offset: u64,
    /// Offset of the entry's data in the input, `None` when the local
    /// header is missing.
    pub data_offset: Option<u64>,
    /// Offset of this entry's central directory record.
    pub cd_offset: u64,
    /// Whether the name ends with `/`.
    pub is_dir: bool,
    /// Whether the central directory record used zip64 extra fields.
    pub zip64: bool,
}

impl Entry {
    /// Whether the "encrypted" flag is set (ignored for reading).
    pub fn is_encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0
    }

    /// Whether flag bit 3 (data descriptor) is set.
    pub fn has_data_descriptor(&self) -> bool {
        self.flags & FLAG_DATA_DESCRIPTOR != 0
    }

    /// Whether reading inflates (method 8); other methods read as stored.
    pub fn is_deflated(&self) -> bool {
        self.method == METHOD_DEFLATE
    }
}

/// A zip/APK archive read from its central directory. Entry data is
/// borrowed from the input and only inflated on [`Apk::read`].
#[derive(Debug)]
pub struct Apk<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) options: Options,
    pub(crate) entries: Vec<Entry>,
    /// Entry indices sorted by raw name, stable (CD order among equals).
    pub(crate) by_name: Vec<usize>,
    pub(crate) anomalies: Vec<Anomaly>,
    pub(crate) signing_block: Option<SigningBlock>,
    pub(crate) comment: &'a [u8],
    pub(crate) zip64: bool,
    /// Bytes inflated so far, shared with the archives nested in this one.
    pub(crate) inflated: Arc<AtomicU64>,
    /// The app's memory budget, charged by inflated data while it is alive.
    pub(crate) budget: Budget,
}

/// The end records, resolved (zip64 when present).
struct End {
    /// Offset of the EOCD record.
    eocd: usize,
    /// Offset of the first end record (zip64 record, locator or EOCD).
    first_end_record: usize,
    entries: u64,
    cd_size: u64,
    cd_offset: u64,
    comment: (usize, usize),
    zip64: bool,
}

impl<'a> Apk<'a> {
    /// Opens an archive with default [`Options`].
    pub fn parse(data: &'a [u8]) -> Result<Apk<'a>> {
        Self::parse_with(data, Options::default())
    }

    /// Opens an archive with the given limits and no memory budget.
    pub fn parse_with(data: &'a [u8], options: Options) -> Result<Apk<'a>> {
        Self::parse_with_budget(data, options, &Budget::unlimited())
    }

    /// Opens an archive with the given limits; inflated data is charged to `budget` while it
    /// is alive.
    pub fn parse_with_budget(data: &'a [u8], options: Options, budget: &Budget) -> Result<Apk<'a>> {
        Self::open(data, options, budget.clone(), Arc::new(AtomicU64::new(0)))
    }

    /// Opens an archive found inside this one (an entry's bytes): it shares this archive's
    /// limits, deadline, memory budget and total of inflated bytes, so nesting cannot multiply
    /// what one app may inflate or hold.
    pub fn parse_nested<'b>(&self, data: &'b [u8]) -> Result<Apk<'b>> {
        Apk::open(
            data,
            self.options,
            self.budget.clone(),
            Arc::clone(&self.inflated),
        )
    }

    fn open(
        data: &'a [u8],
        options: Options,
        budget: Budget,
        inflated: Arc<AtomicU64>,
    ) -> Result<Apk<'a>> {
        let mut out = Collector::default();
        let end = find_end(data, &mut out)?;
        let comment = slice(data, end.comment.0, end.comment.1).unwrap_or_default();
        if !comment.is_empty() {
            out.push(
                codes::ARCHIVE_COMMENT,
                Some(u64_of(end.comment.0)),
                None,
                format!("{} bytes: {:?}", comment.len(), preview(comment)),
            );
        }
        let (cd_start, delta) = locate_cd(data, &end, &mut out)?;
        let signing_block = cd_start.and_then(|s| signing::parse(data, s, &mut out));
        let mut entries = Vec::new();
        let mut cd_end = cd_start;
        if let Some(start) = cd_start {
            cd_end = Some(read_cd(
                data,
                &end,
                start,
                delta,
                &options,
                &mut entries,
                &mut out,
            ));
        }
        if entries.is_empty() && end.entries > 0 && options.max_entries > 0 {
            return Err(Error::NoCentralDirectory {
                eocd_offset: u64_of(end.eocd),
                cd_offset: end.cd_offset,
                declared: end.entries,
            });
        }
        let mut by_name: Vec<usize> = (0..entries.len()).collect();
        by_name.sort_by(|a, b| name_of(&entries, *a).cmp(name_of(&entries, *b)));
        report_duplicates(&entries, &by_name, &mut out);
        let first_end = cd_start.unwrap_or(end.first_end_record);
        let block_start = signing_block
            .as_ref()
            .and_then(|b| usize_of(b.offset))
            .unwrap_or(first_end);
        report_layout(
            data,
            &entries,
            delta,
            block_start,
            signing_block.is_some(),
            &mut out,
        );
        if let Some(cd_end) = cd_end {
            report_gap(
                cd_end,
                end.first_end_record,
                "the central directory",
                "the end records",
                &mut out,
            );
        }
        Ok(Apk {
            data,
            options,
            entries,
            by_name,
            anomalies: out.finish(),
            signing_block,
            comment,
            zip64: end.zip64,
            inflated,
            budget,
        })
    }

    /// All entries in central directory order, duplicates included.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The first entry (in central directory order) with this exact name.
    pub fn entry(&self, name: &str) -> Option<&Entry> {
        self.entries_named(name).next()
    }

    /// Every entry with this exact name, in central directory order.
    pub fn entries_named<'s>(&'s self, name: &str) -> impl Iterator<Item = &'s Entry> {
        let key = name.as_bytes();
        let first = self
            .by_name
            .partition_point(|i| name_of(&self.entries, *i) < key);
        self.by_name
            .get(first..)
            .unwrap_or_default()
            .iter()
            .map_while(move |i| {
                self.entries
                    .get(*i)
                    .filter(|e| e.raw_name.as_slice() == key)
            })
    }

    /// Anomalies found while opening the archive.
    pub fn anomalies(&self) -> &[Anomaly] {
        &self.anomalies
    }

    /// The APK Signing Block, when there is one.
    pub fn signing_block(&self) -> Option<&SigningBlock> {
        self.signing_block.as_ref()
    }

    /// The EOCD comment bytes.
    pub fn comment(&self) -> &'a [u8] {
        self.comment
    }

    /// Whether the end records are zip64.
    pub fn is_zip64(&self) -> bool {
        self.zip64
    }

    /// The input bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The limits in force.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The memory budget reads are charged to.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }
}

fn name_of(entries: &[Entry], i: usize) -> &[u8] {
    entries
        .get(i)
        .map(|e| e.raw_name.as_slice())
        .unwrap_or_default()
}

/// A short printable preview of untrusted bytes.
fn preview(bytes: &[u8]) -> String {
    let head = bytes.get(..bytes.len().min(64)).unwrap_or_default();
    String::from_utf8_lossy(head).into_owned()
}

/// Finds the EOCD the way libziparchive does: scanning backwards over the
/// last 64 KiB + 22 bytes, preferring the last record whose comment ends
/// exactly at the end of the input.
fn find_end(data: &[u8], out: &mut Collector) -> Result<End> {
    let len = data.len();
    let not_zip = || Error::NotAZip {
        len: u64_of(len),
        searched: u64_of(len.min(MAX_COMMENT_LEN.saturating_add(EOCD_LEN))),
    };
    let last = len.checked_sub(EOCD_LEN).ok_or_else(not_zip)?;
    let lowest = last.saturating_sub(MAX_COMMENT_LEN);
    let mut fallback = None;
    let mut exact = None;
    for i in (lowest..=last).rev() {
        if le32(data, i) != Some(EOCD_SIG) {
            continue;
        }
        let comment_len = usize::from(le16(data, i.saturating_add(20)).unwrap_or(0));
        if i.saturating_add(EOCD_LEN).saturating_add(comment_len) == len {
            exact = Some(i);
            break;
        }
        if fallback.is_none() {
            fallback = Some(i);
        }
    }
    let eocd = match (exact, fallback) {
        (Some(i), _) => i,
        (None, Some(i)) => {
            let comment_len = usize::from(le16(data, i.saturating_add(20)).unwrap_or(0));
            let actual = len.saturating_sub(i).saturating_sub(EOCD_LEN);
            out.push(
                codes::EOCD_COMMENT_LENGTH_MISMATCH,
                Some(u64_of(i)),
                None,
                format!(
                    "comment length field says {comment_len}, {actual} bytes follow the end \
                     record; libziparchive refuses this"
                ),
            );
            i
        }
        (None, None) => return Err(not_zip()),
    };
    let field16 = |off: usize| le16(data, eocd.saturating_add(off)).unwrap_or(0);
    let field32 = |off: usize| le32(data, eocd.saturating_add(off)).unwrap_or(0);
    let comment_start = eocd.saturating_add(EOCD_LEN);
    let comment_len = usize::from(field16(20)).min(len.saturating_sub(comment_start));
    let mut end = End {
        eocd,
        first_end_record: eocd,
        entries: u64::from(field16(10)),
        cd_size: u64::from(field32(12)),
        cd_offset: u64::from(field32(16)),
        comment: (comment_start, comment_len),
        zip64: false,
    };
    let Some(locator) = eocd.checked_sub(ZIP64_LOCATOR_LEN) else {
        return Ok(end);
    };
    if le32(data, locator) != Some(ZIP64_LOCATOR_SIG) {
        return Ok(end);
    }
    end.first_end_record = locator;
    let record = le64(data, locator.saturating_add(8)).and_then(usize_of);
    let valid = record.filter(|r| {
        le32(data, *r) == Some(ZIP64_EOCD_SIG)
            && r.checked_add(ZIP64_EOCD_LEN).is_some_and(|e| e <= locator)
    });
    let Some(record) = valid else {
        out.push(
            codes::ZIP64_INVALID,
            Some(u64_of(locator)),
            None,
            format!(
                "zip64 locator points to {record:?}, where there is no zip64 end record; using \
                 the 32-bit end record"
            ),
        );
        return Ok(end);
    };
    let f64 = |off: usize| le64(data, record.saturating_add(off)).unwrap_or(0);
    end.first_end_record = record;
    end.entries = f64(32);
    end.cd_size = f64(40);
    end.cd_offset = f64(48);
    end.zip64 = true;
    Ok(end)
}

/// Finds the first central directory record. Returns its offset (`None`
/// for an empty archive without one) and the constant by which every
/// declared offset is shifted.
fn locate_cd(data: &[u8], end: &End, out: &mut Collector) -> Result<(Option<usize>, usize)> {
    let declared = usize_of(end.cd_offset);
    if let Some(d) = declared.filter(|d| le32(data, *d) == Some(CD_SIG)) {
        return Ok((Some(d), 0));
    }
    // Info-ZIP's recovery: the directory sits right before the end records
    // but every offset is off by the same amount (bytes prepended).
    let actual = usize_of(end.cd_size).and_then(|s| end.first_end_record.checked_sub(s));
    if let (Some(actual), Some(declared)) = (actual, declared)
        && actual > declared
        && le32(data, actual) == Some(CD_SIG)
    {
        let delta = actual.saturating_sub(declared);
        out.push(
            codes::ARCHIVE_OFFSET_SHIFTED,
            Some(u64_of(actual)),
            None,
            format!(
                "central directory declared at {declared} found at {actual}: all offsets \
                 shifted by {delta}; Android refuses this archive"
            ),
        );
        return Ok((Some(actual), delta));
    }
    if end.entries == 0 {
        // An empty archive: the CD offset points at the end records (or at
        // garbage, which nothing reads).
        let at_end = declared.filter(|d| *d <= end.first_end_record);
        return Ok((at_end, 0));
    }
    Err(Error::NoCentralDirectory {
        eocd_offset: u64_of(end.eocd),
        cd_offset: end.cd_offset,
        declared: end.entries,
    })
}

/// Reads central directory records from `start`; returns where they end.
fn read_cd(
    data: &[u8],
    end: &End,
    start: usize,
    delta: usize,
    options: &Options,
    entries: &mut Vec<Entry>,
    out: &mut Collector,
) -> usize {
    let limit = end.first_end_record;
    let mut pos = start;
    let mut broken = None;
    while pos < limit {
        if le32(data, pos) != Some(CD_SIG) {
            broken = Some("no central directory signature");
            break;
        }
        if entries.len() >= options.max_entries {
            out.push(
                codes::TOO_MANY_ENTRIES,
                Some(u64_of(pos)),
                None,
                format!(
                    "more than {} entries; the rest are not listed",
                    options.max_entries
                ),
            );
            return pos;
        }
        let Some((entry, next)) = parse_cd_record(data, pos, limit, delta, entries.len(), out)
        else {
            broken = Some("record runs past the central directory");
            break;
        };
        entries.push(entry);
        pos = next;
    }
    let found = u64_of(entries.len());
    let cd_size = u64_of(pos.saturating_sub(start));
    let truncated = broken.filter(|_| found < end.entries || cd_size < end.cd_size);
    if let Some(why) = truncated {
        out.push(
            codes::CENTRAL_DIRECTORY_TRUNCATED,
            Some(u64_of(pos)),
            None,
            format!(
                "{why} after {found} of {} declared entries; keeping those",
                end.entries
            ),
        );
    }
    if found != end.entries {
        out.push(
            codes::ENTRY_COUNT_MISMATCH,
            Some(u64_of(end.eocd)),
            None,
            format!(
                "end record declares {} entries, the central directory has {found}; Android \
                 reads exactly the declared count",
                end.entries
            ),
        );
    }
    if cd_size != end.cd_size {
        out.push(
            codes::CD_SIZE_MISMATCH,
            Some(u64_of(start)),
            None,
            format!(
                "end record declares {} bytes, records span {cd_size}",
                end.cd_size
            ),
        );
    }
    // A truncated directory's remains are not a gap.
    if truncated.is_some() { limit } else { pos }
}

/// Values a zip64 extended-information field may replace.
struct Zip64Fields {
    uncompressed: u64,
    compressed: u64,
    offset: u64,
    used: bool,
}

/// Resolves the 0xFFFFFFFF fields of a central directory record from its
/// zip64 extra field (APPNOTE 4.5.3: present fields appear in order
/// uncompressed, compressed, offset, disk).
fn resolve_zip64(extra: &[u8], f: &mut Zip64Fields) -> Result<(), &'static str> {
    let need_u = f.uncompressed == u64::from(ZIP64_MARK32);
    let need_c = f.compressed == u64::from(ZIP64_MARK32);
    let need_o = f.offset == u64::from(ZIP64_MARK32);
    if !(need_u || need_c || need_o) {
        return Ok(());
    }
    let mut pos = 0usize;
    while let (Some(id), Some(size)) = (le16(extra, pos), le16(extra, pos.saturating_add(2))) {
        let body_at = pos.saturating_add(4);
        let Some(body) = slice(extra, body_at, usize::from(size)) else {
            return Err("extra field runs past the extra area");
        };
        if id == ZIP64_EXTRA_ID {
            let mut at = 0usize;
            let mut take = |want: bool, v: &mut u64| -> Result<(), &'static str> {
                if want {
                    *v = le64(body, at).ok_or("zip64 extra field too short")?;
                    at = at.saturating_add(8);
                }
                Ok(())
            };
            take(need_u, &mut f.uncompressed)?;
            take(need_c, &mut f.compressed)?;
            take(need_o, &mut f.offset)?;
            f.used = true;
            return Ok(());
        }
        pos = body_at.saturating_add(usize::from(size));
    }
    Err("a 32-bit field is 0xFFFFFFFF but there is no zip64 extra field")
}

/// Parses the central directory record at `pos` and checks its local
/// header. Returns the entry and the next record's offset, or `None` when
/// the record does not fit before `limit`.
fn parse_cd_record(
    data: &[u8],
    pos: usize,
    limit: usize,
    delta: usize,
    index: usize,
    out: &mut Collector,
) -> Option<(Entry, usize)> {
    let header = slice(data, pos, CD_LEN)?;
    let h16 = |off: usize| le16(header, off).unwrap_or(0);
    let h32 = |off: usize| le32(header, off).unwrap_or(0);
    let name_len = usize::from(h16(28));
    let extra_len = usize::from(h16(30));
    let comment_len = usize::from(h16(32));
    let name_at = add(pos, CD_LEN)?;
    let extra_at = add(name_at, name_len)?;
    let next = add(add(extra_at, extra_len)?, comment_len)?;
    if next > limit {
        return None;
    }
    let raw_name = slice(data, name_at, name_len)?.to_vec();
    let extra = slice(data, extra_at, extra_len)?;
    let name = String::from_utf8_lossy(&raw_name).into_owned();
    let flags = h16(8);
    let method = h16(10);
    let crc32 = h32(16);
    let mut z = Zip64Fields {
        compressed: u64::from(h32(20)),
        uncompressed: u64::from(h32(24)),
        offset: u64::from(h32(42)),
        used: false,
    };
    let cd_offset = u64_of(pos);
    if let Err(why) = resolve_zip64(extra, &mut z) {
        out.push(codes::ZIP64_INVALID, Some(cd_offset), Some(&name), why);
    }
    let mut entry = Entry {
        index,
        is_dir: raw_name.last() == Some(&b'/'),
        name,
        raw_name,
        method,
        flags,
        compressed_size: z.compressed,
        uncompressed_size: z.uncompressed,
        crc32,
        local_header_offset: z.offset,
        data_offset: None,
        cd_offset,
        zip64: z.used,
    };
    check_entry(&entry, out);
    let local = usize_of(z.offset).and_then(|o| o.checked_add(delta));
    entry.data_offset = local
        .and_then(|l| check_local(data, l, &entry, out))
        .map(u64_of);
    if entry.data_offset.is_none() {
        out.push(
            codes::LOCAL_HEADER_MISSING,
            Some(local.map_or(z.offset, u64_of)),
            Some(&entry.name),
            "no local file header signature at the central directory's offset; entry unreadable",
        );
    }
    Some((entry, next))
}

/// Reports what the central directory record alone shows.
fn check_entry(e: &Entry, out: &mut Collector) {
    let at = Some(e.cd_offset);
    if e.is_encrypted() {
        out.push(
            codes::ENCRYPTION_FLAG_IGNORED,
            at,
            Some(&e.name),
            format!("flags {:#06x}; read in clear as Android does", e.flags),
        );
    }
    if e.method != METHOD_STORED && e.method != METHOD_DEFLATE {
        out.push(
            codes::UNKNOWN_COMPRESSION_METHOD,
            at,
            Some(&e.name),
            format!(
                "method {}; read as stored like Android's asset manager (libandroidfw), while \
                 libziparchive extraction fails",
                e.method
            ),
        );
    }
    if e.method == METHOD_STORED && e.compressed_size != e.uncompressed_size {
        out.push(
            codes::STORED_SIZE_MISMATCH,
            at,
            Some(&e.name),
            format!(
                "stored entry: compressed size {}, uncompressed size {}; reading returns the \
                 compressed size",
                e.compressed_size, e.uncompressed_size
            ),
        );
    }
    if let Some(why) = suspicious_name(&e.raw_name) {
        out.push(codes::SUSPICIOUS_ENTRY_NAME, at, Some(&e.name), why);
    }
}

/// Why a name is dangerous as a path or not clean text, if it is.
fn suspicious_name(raw: &[u8]) -> Option<String> {
    let mut why: Vec<&str> = Vec::new();
    if raw.is_empty() {
        why.push("empty name");
    }
    if std::str::from_utf8(raw).is_err() {
        why.push("invalid UTF-8");
    }
    if raw.first().is_some_and(|b| *b == b'/' || *b == b'\\') {
        why.push("absolute path");
    }
    if let [letter, b':', ..] = raw
        && letter.is_ascii_alphabetic()
    {
        why.push("drive letter");
    }
    if raw.contains(&b'\\') {
        why.push("backslash");
    }
    if raw.contains(&0) {
        why.push("NUL byte");
    }
    if raw.iter().any(|b| *b != 0 && (*b < 0x20 || *b == 0x7f)) {
        why.push("control character");
    }
    if raw.split(|b| *b == b'/' || *b == b'\\').any(|c| c == b"..") {
        why.push("`..` component");
    }
    if why.is_empty() {
        None
    } else {
        Some(why.join(", "))
    }
}

/// Checks the local header at `at` against the entry; returns the data
/// offset, or `None` when there is no local header.
#[allow(clippy::too_many_lines)] // one field check after another
fn check_local(data: &[u8], at: usize, e: &Entry, out: &mut Collector) -> Option<usize> {
    let header = slice(data, at, LOCAL_LEN)?;
    if le32(header, 0) != Some(LOCAL_SIG) {
        return None;
    }
    let h16 = |off: usize| le16(header, off).unwrap_or(0);
    let h32 = |off: usize| le32(header, off).unwrap_or(0);
    let name_len = usize::from(h16(26));
    let extra_len = usize::from(h16(28));
    let name_at = add(at, LOCAL_LEN)?;
    let data_at = add(add(name_at, name_len)?, extra_len)?;
    let local_flags = h16(6);
    let mismatch = |out: &mut Collector, field: &str, local: String, central: String| {
        out.push(
            codes::LOCAL_HEADER_MISMATCH,
            Some(u64_of(at)),
            Some(&e.name),
            format!(
                "{field}: local header {local}, central directory {central}; \
                 {LIBZIPARCHIVE_NOTE}"
            ),
        );
    };
    if name_len != e.raw_name.len() {
        mismatch(
            out,
            "name_length",
            name_len.to_string(),
            e.raw_name.len().to_string(),
        );
    } else if slice(data, name_at, name_len).is_some_and(|n| n != e.raw_name.as_slice()) {
        let local = slice(data, name_at, name_len).map(String::from_utf8_lossy);
        mismatch(
            out,
            "name",
            format!("{:?}", local.unwrap_or_default()),
            format!("{:?}", e.name),
        );
    }
    let method = h16(8);
    if method != e.method {
        mismatch(out, "method", method.to_string(), e.method.to_string());
    }
    if (local_flags | e.flags) & FLAG_ENCRYPTED != 0 && !e.is_encrypted() {
        out.push(
            codes::ENCRYPTION_FLAG_IGNORED,
            Some(u64_of(at)),
            Some(&e.name),
            format!("local header flags {local_flags:#06x}; read in clear as Android does"),
        );
    }
    // With a data descriptor the local crc and sizes are legitimately 0.
    if local_flags & FLAG_DATA_DESCRIPTOR == 0 {
        let crc = h32(14);
        if crc != e.crc32 {
            mismatch(
                out,
                "crc32",
                format!("{crc:#010x}"),
                format!("{:#010x}", e.crc32),
            );
        }
        let mut z = Zip64Fields {
            compressed: u64::from(h32(18)),
            uncompressed: u64::from(h32(22)),
            offset: 0,
            used: false,
        };
        let extra = slice(data, add(name_at, name_len)?, extra_len).unwrap_or_default();
        // Unresolvable zip64 marks stay 0xFFFFFFFF and show as a mismatch.
        let _ = resolve_zip64(extra, &mut z);
        if z.compressed != e.compressed_size {
            mismatch(
                out,
                "compressed_size",
                z.compressed.to_string(),
                e.compressed_size.to_string(),
            );
        }
        if z.uncompressed != e.uncompressed_size {
            mismatch(
                out,
                "uncompressed_size",
                z.uncompressed.to_string(),
                e.uncompressed_size.to_string(),
            );
        }
    }
    let fits = usize_of(e.compressed_size)
        .and_then(|c| data_at.checked_add(c))
        .is_some_and(|end| end <= data.len());
    if !fits {
        out.push(
            codes::ENTRY_DATA_TRUNCATED,
            Some(u64_of(data_at)),
            Some(&e.name),
            format!(
                "{} bytes of data at {data_at} run past the end of the input ({} bytes)",
                e.compressed_size,
                data.len()
            ),
        );
    }
    Some(data_at)
}

fn report_duplicates(entries: &[Entry], by_name: &[usize], out: &mut Collector) {
    let mut run_start = 0usize;
    for (k, w) in by_name.windows(2).enumerate() {
        let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
            continue;
        };
        if name_of(entries, a) != name_of(entries, b) {
            run_start = k.saturating_add(1);
            continue;
        }
        let first = by_name.get(run_start).copied().unwrap_or(a);
        if let Some(e) = entries.get(b) {
            out.push(
                codes::DUPLICATE_ENTRY,
                Some(e.cd_offset),
                Some(&e.name),
                format!(
                    "entry {} repeats the name of entry {first}; lookup returns the first; \
                     Android's libziparchive refuses such archives (kDuplicateEntry)",
                    e.index
                ),
            );
        }
    }
}

/// Bytes taken by the data descriptor after the data at `data_end`.
fn descriptor_len(data: &[u8], e: &Entry, data_end: usize) -> usize {
    if !e.has_data_descriptor() {
        return 0;
    }
    let body: usize = if e.zip64 { 20 } else { 12 };
    if le32(data, data_end) == Some(DATA_DESCRIPTOR_SIG) {
        body.saturating_add(4)
    } else {
        body
    }
}

/// Reports prepended data, gaps and overlaps between the local records
/// and up to `records_end` (signing block or central directory).
fn report_layout(
    data: &[u8],
    entries: &[Entry],
    delta: usize,
    records_end: usize,
    block_follows: bool,
    out: &mut Collector,
) {
    let mut spans: Vec<(usize, usize, usize)> = entries
        .iter()
        .filter_map(|e| {
            let data_at = usize_of(e.data_offset?)?;
            let start = usize_of(e.local_header_offset)?.checked_add(delta)?;
            let data_end = data_at
                .checked_add(usize_of(e.compressed_size)?)?
                .min(data.len());
            let end = data_end
                .saturating_add(descriptor_len(data, e, data_end))
                .min(data.len());
            Some((start, end, e.index))
        })
        .collect();
    spans.sort_unstable();
    let first = spans.first().map_or(records_end, |s| s.0).min(records_end);
    if first > 0 {
        let dex = data.starts_with(DEX_MAGIC);
        out.push(
            codes::PREPENDED_DATA,
            Some(0),
            None,
            format!("{first} bytes before the first record; starts with dex magic: {dex}"),
        );
    }
    let mut cursor = first;
    for (start, end, index) in spans {
        if start < cursor {
            let name = entries.get(index).map(|e| e.name.as_str());
            out.push(
                codes::OVERLAPPING_ENTRIES,
                Some(u64_of(start)),
                name,
                format!("local record at {start} starts inside the previous one (ends {cursor})"),
            );
        } else {
            report_gap(cursor, start, "an entry", "the next local header", out);
        }
        cursor = cursor.max(end);
    }
    if !(block_follows && is_block_alignment(data, cursor, records_end)) {
        report_gap(
            cursor,
            records_end,
            "the last entry",
            "the signing block or central directory",
            out,
        );
    }
}

/// Whether `from..to` is the zero padding apksig writes so that the
/// signing block starts on a 4096-byte boundary (for fs-verity); zeros
/// hide nothing, so that padding is expected, not a gap.
fn is_block_alignment(data: &[u8], from: usize, to: usize) -> bool {
    to.is_multiple_of(SIGNING_BLOCK_ALIGNMENT)
        && data
            .get(from..to)
            .is_some_and(|gap| gap.iter().all(|b| *b == 0))
}

fn report_gap(from: usize, to: usize, after: &str, before: &str, out: &mut Collector) {
    if to > from {
        out.push(
            codes::GAP_BETWEEN_RECORDS,
            Some(u64_of(from)),
            None,
            format!(
                "{} unaccounted bytes between {after} and {before}",
                to.saturating_sub(from)
            ),
        );
    }
}
