//! Reading entry data: borrowed for stored entries, capped streaming
//! inflation for deflated ones.

use std::borrow::Cow;
use std::sync::atomic::Ordering;

use flate2::{Decompress, FlushDecompress, Status};

use crate::anomaly::codes;
use crate::archive::{Apk, Entry, METHOD_DEFLATE, METHOD_STORED};
use crate::bytes::{slice, u64_of, usize_of};
use crate::error::{LimitKind, Unreadable};
use crate::{Anomaly, Error, Result};

/// Never preallocate more than this for one entry, whatever it declares.
pub const MAX_PREALLOC: usize = 64 << 20;
/// Smallest growth step of the output buffer.
const MIN_GROWTH: usize = 32 << 10;

/// An entry's data with the outcome of its integrity checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<'a> {
    /// The data (borrowed from the input when stored).
    pub data: Cow<'a, [u8]>,
    /// CRC-32 of `data`.
    pub actual_crc32: u32,
    /// [`codes::CRC_MISMATCH`] and [`codes::SIZE_MISMATCH`] findings.
    pub anomalies: Vec<Anomaly>,
}

impl Checked<'_> {
    /// Whether the data matches its declared CRC-32 and size.
    pub fn is_intact(&self) -> bool {
        self.anomalies.is_empty()
    }
}

impl<'a> Apk<'a> {
    /// Reads an entry's data: borrowed for stored entries (and unknown
    /// methods, read as stored the way Android's asset manager does),
    /// inflated for deflated ones within the [`Options`](crate::Options)
    /// limits. The declared size and CRC are not checked here; see
    /// [`Apk::read_checked`].
    pub fn read(&self, entry: &Entry) -> Result<Cow<'a, [u8]>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_DEFLATE {
            self.inflate(entry, raw, None).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(raw))
        }
    }

    /// Reads at most the first `max_len` bytes of an entry (for sniffing
    /// magic numbers): inflation stops as soon as `max_len` bytes are out,
    /// so this is cheap even on large or hostile entries. A deflate stream
    /// that is corrupt after its first `max_len` bytes is not noticed.
    pub fn read_prefix(&self, entry: &Entry, max_len: usize) -> Result<Cow<'a, [u8]>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_DEFLATE {
            self.inflate(entry, raw, Some(max_len)).map(Cow::Owned)
        } else {
            Ok(Cow::Borrowed(raw.get(..max_len).unwrap_or(raw)))
        }
    }

    /// Reads an entry the way apksig (apksigner) does: every method but stored is inflated, so
    /// an unknown method holding deflate data yields the inflated bytes. Android's asset manager
    /// reads such entries as stored instead ([`Apk::read`]); signature files are where the two
    /// readers disagree and an analyzer wants to see what the signing tools saw.
    pub fn read_inflating_unknown(&self, entry: &Entry) -> Result<Cow<'a, [u8]>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_STORED {
            Ok(Cow::Borrowed(raw))
        } else {
            self.inflate(entry, raw, None).map(Cow::Owned)
        }
    }

    /// Reads the first entry with this name; `Ok(None)` when there is none.
    pub fn read_by_name(&self, name: &str) -> Result<Option<Cow<'a, [u8]>>> {
        self.entry(name).map(|e| self.read(e)).transpose()
    }

    /// Reads an entry and checks its CRC-32 and size against the central
    /// directory. Mismatches are reported in [`Checked::anomalies`], not as
    /// errors (Android would refuse the entry; an analyzer wants the bytes).
    pub fn read_checked(&self, entry: &Entry) -> Result<Checked<'a>> {
        let data = self.read(entry)?;
        let actual_crc32 = crc32fast::hash(&data);
        let mut anomalies = Vec::new();
        let mut push = |code: &'static str, detail: String| {
            anomalies.push(Anomaly {
                code,
                offset: entry.data_offset,
                entry: Some(entry.name.clone()),
                detail,
            });
        };
        if actual_crc32 != entry.crc32 {
            push(
                codes::CRC_MISMATCH,
                format!(
                    "declared {:#010x}, data has {actual_crc32:#010x}",
                    entry.crc32
                ),
            );
        }
        let len = u64_of(data.len());
        if len != entry.uncompressed_size {
            push(
                codes::SIZE_MISMATCH,
                format!(
                    "declared {} bytes, read {len}; libziparchive fails such entries",
                    entry.uncompressed_size
                ),
            );
        }
        Ok(Checked {
            data,
            actual_crc32,
            anomalies,
        })
    }

    /// Bytes inflated so far by this archive's reads (all threads).
    pub fn inflated_total(&self) -> u64 {
        self.inflated.load(Ordering::Relaxed)
    }

    /// The entry's raw (possibly compressed) bytes.
    pub fn raw(&self, entry: &Entry) -> Result<&'a [u8]> {
        let Some(at) = entry.data_offset else {
            return Err(Error::EntryUnreadable {
                entry: entry.name.clone(),
                offset: entry.local_header_offset,
                reason: Unreadable::LocalHeaderMissing,
            });
        };
        let available = usize_of(at)
            .and_then(|a| self.data.len().checked_sub(a))
            .map_or(0, u64_of);
        let truncated = || Error::Truncated {
            what: "entry data",
            offset: at,
            needed: entry.compressed_size,
            available,
        };
        let start = usize_of(at).ok_or_else(truncated)?;
        let len = usize_of(entry.compressed_size).ok_or_else(truncated)?;
        slice(self.data, start, len).ok_or_else(truncated)
    }

    /// Inflates raw deflate `input`, growing the output only up to
    /// `max_entry_size + 1` bytes (or `prefix` bytes, where inflation
    /// stops) and charging the shared budget.
    fn inflate(&self, entry: &Entry, input: &[u8], prefix: Option<usize>) -> Result<Vec<u8>> {
        let entry_limit = self.options.max_entry_size;
        let total_limit = self.options.max_total_inflated;
        // One byte past the limit proves the limit is exceeded.
        let limit_cap = usize_of(entry_limit)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let hard_cap = prefix.map_or(limit_cap, |p| p.min(limit_cap));
        let declared = usize_of(entry.uncompressed_size).unwrap_or(usize::MAX);
        let mut out = Vec::with_capacity(declared.min(hard_cap).min(MAX_PREALLOC));
        let mut inflater = Decompress::new(false);
        let offset = entry.data_offset.unwrap_or(0);
        let fail = |d: &Decompress, reason: String| Error::Inflate {
            entry: entry.name.clone(),
            offset,
            consumed: d.total_in(),
            produced: d.total_out(),
            reason,
        };
        loop {
            if out.len() == out.capacity() {
                let room = hard_cap.saturating_sub(out.len());
                let step = out.len().clamp(MIN_GROWTH, MAX_PREALLOC).min(room);
                out.reserve_exact(step);
            }
            let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
            let consumed = usize_of(in_before).unwrap_or(usize::MAX);
            let rest = input.get(consumed..).unwrap_or_default();
            let status = inflater
                .decompress_vec(rest, &mut out, FlushDecompress::None)
                .map_err(|e| fail(&inflater, e.to_string()))?;
            let produced = inflater.total_out().saturating_sub(out_before);
            let before = self.inflated.fetch_add(produced, Ordering::Relaxed);
            if before.saturating_add(produced) > total_limit {
                return Err(Error::LimitExceeded {
                    entry: entry.name.clone(),
                    kind: LimitKind::TotalInflated,
                    limit: total_limit,
                });
            }
            if u64_of(out.len()) > entry_limit {
                return Err(Error::LimitExceeded {
                    entry: entry.name.clone(),
                    kind: LimitKind::EntrySize,
                    limit: entry_limit,
                });
            }
            if status == Status::StreamEnd {
                return Ok(out);
            }
            if let Some(p) = prefix
                && out.len() >= p
            {
                out.truncate(p);
                return Ok(out);
            }
            let stalled = produced == 0 && inflater.total_in() == in_before;
            if stalled && out.len() < out.capacity() {
                let why = if rest.is_empty() {
                    "stream ends before its final block"
                } else {
                    "inflater makes no progress"
                };
                return Err(fail(&inflater, why.to_owned()));
            }
        }
    }
}
