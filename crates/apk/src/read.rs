//! Reading entry data: borrowed for stored entries, capped streaming
//! inflation for deflated ones.

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::Ordering;
use std::time::Instant;

use flate2::{Decompress, FlushDecompress, Status};

use crate::anomaly::codes;
use crate::archive::{Apk, Entry, METHOD_DEFLATE, METHOD_STORED};
use crate::budget::Charge;
use crate::bytes::{slice, u64_of, usize_of};
use crate::error::{LimitKind, Unreadable};
use crate::{Anomaly, Error, Result};

/// Never preallocate more than this for one entry, whatever it declares.
pub const MAX_PREALLOC: usize = 64 << 20;
/// Smallest growth step of the output buffer.
const MIN_GROWTH: usize = 32 << 10;

/// An entry's bytes: borrowed from the input when stored, inflated and charged to the app's
/// memory [`Budget`](crate::Budget) when deflated. Dropping it gives the charge back.
pub struct EntryData<'a> {
    inner: Data<'a>,
}

enum Data<'a> {
    Borrowed(&'a [u8]),
    Inflated { bytes: Vec<u8>, _charge: Charge },
}

impl<'a> EntryData<'a> {
    fn borrowed(bytes: &'a [u8]) -> Self {
        Self {
            inner: Data::Borrowed(bytes),
        }
    }

    /// Whether the bytes are the input's own (a stored entry), not an inflated copy.
    pub fn is_borrowed(&self) -> bool {
        matches!(self.inner, Data::Borrowed(_))
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        self
    }
}

impl Deref for EntryData<'_> {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.inner {
            Data::Borrowed(bytes) => bytes,
            Data::Inflated { bytes, .. } => bytes,
        }
    }
}

impl AsRef<[u8]> for EntryData<'_> {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for EntryData<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntryData")
            .field("len", &self.len())
            .field("borrowed", &self.is_borrowed())
            .finish()
    }
}

impl PartialEq for EntryData<'_> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for EntryData<'_> {}

impl PartialEq<[u8]> for EntryData<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for EntryData<'_> {
    fn eq(&self, other: &[u8; N]) -> bool {
        **self == *other
    }
}

impl PartialEq<&[u8]> for EntryData<'_> {
    fn eq(&self, other: &&[u8]) -> bool {
        **self == **other
    }
}

/// An entry's data with the outcome of its integrity checks.
#[derive(Debug, PartialEq, Eq)]
pub struct Checked<'a> {
    /// The data (borrowed from the input when stored).
    pub data: EntryData<'a>,
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
    pub fn read(&self, entry: &Entry) -> Result<EntryData<'a>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_DEFLATE {
            self.inflate(entry, raw, None)
        } else {
            Ok(EntryData::borrowed(raw))
        }
    }

    /// Reads at most the first `max_len` bytes of an entry (for sniffing
    /// magic numbers): inflation stops as soon as `max_len` bytes are out,
    /// so this is cheap even on large or hostile entries. A deflate stream
    /// that is corrupt after its first `max_len` bytes is not noticed.
    pub fn read_prefix(&self, entry: &Entry, max_len: usize) -> Result<EntryData<'a>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_DEFLATE {
            self.inflate(entry, raw, Some(max_len))
        } else {
            Ok(EntryData::borrowed(raw.get(..max_len).unwrap_or(raw)))
        }
    }

    /// Reads an entry the way apksig (apksigner) does: every method but stored is inflated, so
    /// an unknown method holding deflate data yields the inflated bytes. Android's asset manager
    /// reads such entries as stored instead ([`Apk::read`]); signature files are where the two
    /// readers disagree and an analyzer wants to see what the signing tools saw.
    pub fn read_inflating_unknown(&self, entry: &Entry) -> Result<EntryData<'a>> {
        let raw = self.raw(entry)?;
        if entry.method == METHOD_STORED {
            Ok(EntryData::borrowed(raw))
        } else {
            self.inflate(entry, raw, None)
        }
    }

    /// Reads the first entry with this name; `Ok(None)` when there is none.
    pub fn read_by_name(&self, name: &str) -> Result<Option<EntryData<'a>>> {
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
    /// stops), charging the shared total and the memory budget as it grows
    /// and checking the deadline between chunks.
    fn inflate(&self, entry: &Entry, input: &[u8], prefix: Option<usize>) -> Result<EntryData<'a>> {
        let entry_limit = self.options.max_entry_size;
        let total_limit = self.options.max_total_inflated;
        // One byte past the limit proves the limit is exceeded.
        let limit_cap = usize_of(entry_limit)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let hard_cap = prefix.map_or(limit_cap, |p| p.min(limit_cap));
        let declared = usize_of(entry.uncompressed_size).unwrap_or(usize::MAX);
        let mut charge = Charge::empty(&self.budget);
        let over_budget = |source| Error::OverBudget {
            entry: entry.name.clone(),
            source,
        };
        let first = declared.min(hard_cap).min(MAX_PREALLOC);
        charge.grow(u64_of(first)).map_err(over_budget)?;
        let mut out = Vec::with_capacity(first);
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
                // `reserve_exact` may round up; charge what the vector really holds.
                let before = out.capacity();
                out.reserve_exact(step);
                charge
                    .grow(u64_of(out.capacity().saturating_sub(before)))
                    .map_err(over_budget)?;
            }
            if self.options.deadline.is_some_and(|at| Instant::now() >= at) {
                return Err(Error::Deadline {
                    entry: entry.name.clone(),
                    produced: inflater.total_out(),
                });
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
            let done = |mut out: Vec<u8>, mut charge: Charge| {
                // Give back what the vector reserved beyond its length.
                out.shrink_to_fit();
                charge.shrink_to(u64_of(out.capacity()));
                EntryData {
                    inner: Data::Inflated {
                        bytes: out,
                        _charge: charge,
                    },
                }
            };
            if status == Status::StreamEnd {
                return Ok(done(out, charge));
            }
            if let Some(p) = prefix
                && out.len() >= p
            {
                out.truncate(p);
                return Ok(done(out, charge));
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
