//! `ResStringPool` decoding (shared by binary XML and `resources.arsc`).
//!
//! Strings are decoded on demand from the borrowed chunk; [`Budget`] bounds the total text
//! handed out, since many indexes may point at one long string.

use crate::bytes::{ChunkHeader, off64, u8_at, u16_at, u32_at, us};
use crate::{Anomaly, codes};

/// Standard `ResStringPool_header` size.
pub(crate) const POOL_HEADER_LEN: usize = 28;
/// `ResStringPool_header::UTF8_FLAG`.
const UTF8_FLAG: u32 = 0x100;
/// A string longer than this (in bytes/units) is cut: no legitimate manifest string is close.
const MAX_STRING_LEN: usize = 1 << 20;
/// Total decoded text a single parse may produce.
pub(crate) const OUTPUT_BUDGET: usize = 64 << 20;

/// A string pool view over one chunk.
#[derive(Debug, Clone, Default)]
pub(crate) struct StringPool<'a> {
    chunk: &'a [u8],
    /// Offset of the string offsets array inside `chunk`.
    index_start: usize,
    count: u32,
    strings_start: usize,
    utf8: bool,
    /// Absolute offset of the chunk in the input.
    base: u64,
    pub(crate) style_count: u32,
    /// Why Android's `ResStringPool::setTo` would refuse the pool, if it would.
    android_error: Option<String>,
}

/// Why a string could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrError {
    OutOfRange,
    Bad(u64),
}

impl<'a> StringPool<'a> {
    /// Parses the pool from `chunk` (already clamped to the declared/available size) located at
    /// absolute offset `base`.
    ///
    /// As in `ResStringPool::setTo`, the string offsets array starts at `chunk + headerSize`
    /// when `honour_header_size` is set and the header size passes Android's `validate_chunk`
    /// (at least 28, at most the chunk size, both multiples of 4, chunk inside the data):
    /// padding or decoy bytes after the standard header are skipped as Android skips them
    /// ([`codes::NONSTANDARD_HEADER_SIZE`]). Otherwise Android refuses the pool, and the
    /// standard size is used best-effort ([`codes::BAD_HEADER_SIZE`]).
    pub(crate) fn parse(
        chunk: &'a [u8],
        base: u64,
        hdr: ChunkHeader,
        honour_header_size: bool,
        anomalies: &mut Vec<Anomaly>,
    ) -> Self {
        let hs = usize::from(hdr.header_size);
        let header_error = header_error(hdr, chunk.len());
        let index_start = if hs == POOL_HEADER_LEN {
            POOL_HEADER_LEN
        } else if honour_header_size && header_error.is_none() {
            anomalies.push(Anomaly::new(
                codes::NONSTANDARD_HEADER_SIZE,
                Some(base),
                format!(
                    "string pool headerSize {hs} (standard {POOL_HEADER_LEN}): Android reads \
                     the string offsets at +{hs:#x}, skipping {} bytes (ResStringPool::setTo)",
                    hs.saturating_sub(POOL_HEADER_LEN)
                ),
            ));
            hs
        } else {
            let why = header_error
                .as_deref()
                .unwrap_or("the document is already refused");
            anomalies.push(Anomaly::new(
                codes::BAD_HEADER_SIZE,
                Some(base),
                format!(
                    "string pool headerSize {hs} (standard {POOL_HEADER_LEN}); {why}; using \
                     the standard size"
                ),
            ));
            POOL_HEADER_LEN
        };
        let claimed = u32_at(chunk, 8).unwrap_or(0);
        let claimed_styles = u32_at(chunk, 12).unwrap_or(0);
        let flags = u32_at(chunk, 16).unwrap_or(0);
        let strings_start = us(u32_at(chunk, 20).unwrap_or(0));
        let styles_start = us(u32_at(chunk, 24).unwrap_or(0));
        let utf8 = flags & UTF8_FLAG != 0;
        let android_error = header_error.or_else(|| {
            android_layout_error(
                chunk,
                index_start,
                claimed,
                claimed_styles,
                utf8,
                [strings_start, styles_start],
            )
        });
        // Offsets must fit between the header and the end of the chunk (or the strings data).
        let room = chunk.len().saturating_sub(index_start) / 4;
        let fits = u32::try_from(room).unwrap_or(u32::MAX);
        let mut count = claimed;
        if claimed > fits {
            anomalies.push(Anomaly::new(
                codes::STRING_COUNT_CLAMPED,
                Some(base.saturating_add(8)),
                format!("stringCount {claimed} but room for {fits}"),
            ));
            count = fits;
        }
        let style_room = fits.saturating_sub(count);
        let mut style_count = claimed_styles;
        if claimed_styles > style_room {
            anomalies.push(Anomaly::new(
                codes::STRING_COUNT_CLAMPED,
                Some(base.saturating_add(12)),
                format!("styleCount {claimed_styles} but room for {style_room}"),
            ));
            style_count = style_room;
        }
        if count > 0 && (strings_start > chunk.len() || strings_start < index_start) {
            anomalies.push(Anomaly::new(
                codes::STRING_POOL_BAD_OFFSET,
                Some(base.saturating_add(20)),
                format!(
                    "stringsStart {strings_start:#x} outside chunk of {:#x}",
                    chunk.len()
                ),
            ));
        }
        if style_count > 0 && styles_start > chunk.len() {
            anomalies.push(Anomaly::new(
                codes::STRING_POOL_BAD_OFFSET,
                Some(base.saturating_add(24)),
                format!(
                    "stylesStart {styles_start:#x} outside chunk of {:#x}",
                    chunk.len()
                ),
            ));
        }
        StringPool {
            chunk,
            index_start,
            count,
            strings_start,
            utf8,
            base,
            style_count,
            android_error,
        }
    }

    /// Why Android's `ResStringPool::setTo` would fail on this pool (its `mError` would not be
    /// `NO_ERROR`), if it would.
    pub(crate) fn android_error(&self) -> Option<&str> {
        self.android_error.as_deref()
    }

    /// Number of strings.
    pub(crate) fn len(&self) -> u32 {
        self.count
    }

    /// Whether strings are UTF-8.
    pub(crate) fn is_utf8(&self) -> bool {
        self.utf8
    }

    /// Decodes string `idx`. The flag says whether decoding was lossy (bad encoding or a
    /// missing terminator).
    pub(crate) fn get(&self, idx: u32) -> Result<(String, bool), StrError> {
        if idx >= self.count {
            return Err(StrError::OutOfRange);
        }
        let slot = us(idx)
            .checked_mul(4)
            .and_then(|o| o.checked_add(self.index_start));
        let rel = slot
            .and_then(|s| u32_at(self.chunk, s))
            .ok_or(StrError::Bad(self.base))?;
        let start = self.strings_start.checked_add(us(rel));
        let abs = start.map_or(self.base, |s| self.base.saturating_add(off64(s)));
        let data = start
            .and_then(|s| self.chunk.get(s..))
            .ok_or(StrError::Bad(abs))?;
        if self.utf8 {
            decode_utf8(data)
        } else {
            decode_utf16(data)
        }
        .ok_or(StrError::Bad(abs))
    }
}

/// Android's `validate_chunk(chunk, sizeof(ResStringPool_header), …)` on the pool header, as
/// `ResStringPool::setTo` calls it; `available` is the chunk as clamped to the data.
fn header_error(hdr: ChunkHeader, available: usize) -> Option<String> {
    let hs = usize::from(hdr.header_size);
    let size = us(hdr.size);
    if size < POOL_HEADER_LEN {
        Some(format!("Android refuses a pool chunk of {size} bytes"))
    } else if hs < POOL_HEADER_LEN {
        Some(format!(
            "Android refuses a header size {hs} below {POOL_HEADER_LEN}"
        ))
    } else if hs > size {
        Some(format!(
            "Android refuses a header size {hs} above the chunk size {size}"
        ))
    } else if !(hs | size).is_multiple_of(4) {
        Some(format!(
            "Android refuses a size {size} or header size {hs} not on a 4-byte boundary"
        ))
    } else if size > available {
        Some(format!(
            "Android refuses a pool of {size} bytes past the end of the data"
        ))
    } else {
        None
    }
}

/// The remaining checks of `ResStringPool::setTo` (offsets array, strings and styles areas,
/// terminators), for a pool whose header passed [`header_error`]. `starts` is
/// `[stringsStart, stylesStart]`.
fn android_layout_error(
    chunk: &[u8],
    index_start: usize,
    count: u32,
    styles: u32,
    utf8: bool,
    starts: [usize; 2],
) -> Option<String> {
    let [strings_start, styles_start] = starts;
    let size = chunk.len();
    let entries_end = u64::from(count)
        .checked_mul(4)
        .and_then(|n| n.checked_add(off64(index_start)))
        .unwrap_or(u64::MAX);
    if count > 0 {
        if entries_end > off64(size) {
            return Some(format!(
                "{count} string offsets run past the {size}-byte pool"
            ));
        }
        if strings_start >= size.saturating_sub(2) {
            return Some(format!(
                "stringsStart {strings_start:#x} at or after the pool's end"
            ));
        }
        let char_size = if utf8 { 1 } else { 2 };
        let area = if styles == 0 {
            size.saturating_sub(strings_start)
        } else if styles_start >= size.saturating_sub(2) {
            return Some(format!(
                "stylesStart {styles_start:#x} at or after the pool's end"
            ));
        } else if styles_start <= strings_start {
            return Some(format!("stylesStart {styles_start:#x} before stringsStart"));
        } else {
            styles_start.saturating_sub(strings_start)
        };
        let units = area.checked_div(char_size).unwrap_or(0);
        if units == 0 {
            return Some(format!("{count} strings but an empty strings area"));
        }
        let last = units
            .saturating_sub(1)
            .checked_mul(char_size)
            .and_then(|o| o.checked_add(strings_start));
        let terminated = last.is_some_and(|o| {
            if utf8 {
                u8_at(chunk, o) == Some(0)
            } else {
                u16_at(chunk, o) == Some(0)
            }
        });
        if !terminated {
            return Some("the strings area does not end with a NUL".to_owned());
        }
    }
    if styles > 0 {
        if entries_end > off64(size) {
            return Some("the style offsets start past the pool's end".to_owned());
        }
        if styles_start >= size {
            return Some(format!(
                "stylesStart {styles_start:#x} at or after the pool's end"
            ));
        }
        let words = size.saturating_sub(styles_start) / 4;
        let end_span = words
            .checked_sub(3)
            .and_then(|w| w.checked_mul(4))
            .and_then(|o| o.checked_add(styles_start))
            .and_then(|o| chunk.get(o..o.checked_add(12)?));
        if !end_span.is_some_and(|b| b.iter().all(|&x| x == 0xff)) {
            return Some("the styles area does not end with the 0xFFFFFFFF span".to_owned());
        }
    }
    None
}

/// Decodes an aapt UTF-8 pool string: UTF-16 length, UTF-8 length, bytes, NUL.
fn decode_utf8(d: &[u8]) -> Option<(String, bool)> {
    let (_, n1) = utf8_len(d, 0)?;
    let (len, n2) = utf8_len(d, n1)?;
    let start = n1.checked_add(n2)?;
    let len = len.min(MAX_STRING_LEN);
    let end = start.checked_add(len)?;
    let bytes = d.get(start..end)?;
    let terminated = u8_at(d, end) == Some(0);
    match std::str::from_utf8(bytes) {
        Ok(s) => Some((s.to_owned(), !terminated)),
        Err(_) => Some((String::from_utf8_lossy(bytes).into_owned(), true)),
    }
}

/// One aapt UTF-8 length: one byte, or two when the high bit is set.
fn utf8_len(d: &[u8], off: usize) -> Option<(usize, usize)> {
    let b0 = usize::from(u8_at(d, off)?);
    if b0 & 0x80 == 0 {
        return Some((b0, 1));
    }
    let b1 = usize::from(u8_at(d, off.checked_add(1)?)?);
    Some((((b0 & 0x7f) << 8) | b1, 2))
}

/// Decodes a UTF-16 pool string: length (1 or 2 units), units, NUL unit.
fn decode_utf16(d: &[u8]) -> Option<(String, bool)> {
    let u0 = usize::from(u16_at(d, 0)?);
    let (len, start): (usize, usize) = if u0 & 0x8000 == 0 {
        (u0, 2)
    } else {
        (((u0 & 0x7fff) << 16) | usize::from(u16_at(d, 2)?), 4)
    };
    let len = len.min(MAX_STRING_LEN);
    let end = start.checked_add(len.checked_mul(2)?)?;
    let bytes = d.get(start..end)?;
    let terminated = u16_at(d, end) == Some(0);
    let units = bytes
        .chunks_exact(2)
        .map(|c| <[u8; 2]>::try_from(c).map_or(0, u16::from_le_bytes));
    let mut lossy = !terminated;
    let s: String = char::decode_utf16(units)
        .map(|r| {
            r.unwrap_or_else(|_| {
                lossy = true;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    Some((s, lossy))
}

/// Bounds the decoded text of one parse and reports its exhaustion once.
#[derive(Debug)]
pub(crate) struct Budget {
    remaining: usize,
    reported: bool,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            remaining: OUTPUT_BUDGET,
            reported: false,
        }
    }
}

/// Context for turning string indexes into text with anomalies.
pub(crate) struct Strings<'p, 'a> {
    pub(crate) pool: &'p StringPool<'a>,
    pub(crate) budget: &'p mut Budget,
    pub(crate) anomalies: &'p mut Vec<Anomaly>,
}

impl Strings<'_, '_> {
    /// Resolves `idx`, recording anomalies at `at` (the referencing structure). `None` for
    /// `0xFFFFFFFF` (no string) and for anything unreadable.
    pub(crate) fn get(&mut self, idx: u32, at: u64) -> Option<String> {
        if idx == u32::MAX {
            return None;
        }
        match self.pool.get(idx) {
            Ok((s, lossy)) => {
                if lossy {
                    self.anomalies.push(Anomaly::new(
                        codes::STRING_ENCODING,
                        Some(at),
                        format!("string #{idx} decoded lossily or lacks its terminator"),
                    ));
                }
                if s.len() > self.budget.remaining {
                    if !self.budget.reported {
                        self.budget.reported = true;
                        self.anomalies.push(Anomaly::new(
                            codes::OUTPUT_BUDGET_EXCEEDED,
                            Some(at),
                            format!("more than {OUTPUT_BUDGET} bytes of decoded text"),
                        ));
                    }
                    return Some(String::new());
                }
                self.budget.remaining = self.budget.remaining.saturating_sub(s.len());
                Some(s)
            }
            Err(StrError::OutOfRange) => {
                self.anomalies.push(Anomaly::new(
                    codes::STRING_INDEX_OUT_OF_RANGE,
                    Some(at),
                    format!("string index {idx} but the pool has {}", self.pool.len()),
                ));
                None
            }
            Err(StrError::Bad(off)) => {
                self.anomalies.push(Anomaly::new(
                    codes::BAD_STRING,
                    Some(off),
                    format!("string #{idx} runs outside its pool"),
                ));
                None
            }
        }
    }
}
