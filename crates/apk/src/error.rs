//! The crate's error type.

use std::fmt;

/// Which inflation limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`Options::max_entry_size`](crate::Options::max_entry_size).
    EntrySize,
    /// [`Options::max_total_inflated`](crate::Options::max_total_inflated).
    TotalInflated,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LimitKind::EntrySize => "per-entry inflation",
            LimitKind::TotalInflated => "per-APK total inflation",
        })
    }
}

/// Why an entry cannot be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unreadable {
    /// No local file header signature where the central directory points.
    LocalHeaderMissing,
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unreadable::LocalHeaderMissing => {
                "no local file header at the offset the central directory gives"
            }
        })
    }
}

/// Errors: returned only when nothing usable remains (an archive with no
/// end record or no central directory) or when one entry cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No end-of-central-directory record: the input is not a zip.
    #[error(
        "not a zip archive: no end-of-central-directory record (PK\\x05\\x06) in the last \
         {searched} bytes of {len}"
    )]
    NotAZip {
        /// Input length.
        len: u64,
        /// How many bytes at the end were searched.
        searched: u64,
    },
    /// The EOCD was found but no central directory record could be read
    /// although it declares entries.
    #[error(
        "no readable central directory record at offset {cd_offset} (end record at {eocd_offset} \
         declares {declared} entries)"
    )]
    NoCentralDirectory {
        /// Offset of the EOCD record.
        eocd_offset: u64,
        /// Central directory offset the EOCD (or zip64 record) gives.
        cd_offset: u64,
        /// Entry count the EOCD declares.
        declared: u64,
    },
    /// A structure runs past the end of the input.
    #[error("truncated {what} at offset {offset}: needs {needed} bytes, {available} available")]
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Where it starts.
        offset: u64,
        /// How many bytes it needs.
        needed: u64,
        /// How many bytes the input has from `offset`.
        available: u64,
    },
    /// Inflating an entry would exceed a limit from [`Options`](crate::Options).
    #[error("entry {entry:?}: {kind} limit of {limit} bytes exceeded")]
    LimitExceeded {
        /// Display name of the entry.
        entry: String,
        /// Which limit.
        kind: LimitKind,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Holding the entry's inflated bytes would take the app over its memory budget.
    #[error("entry {entry:?}: inflating it {source}")]
    OverBudget {
        /// Display name of the entry.
        entry: String,
        /// The budget's account.
        #[source]
        source: crate::OverBudget,
    },
    /// [`Options::deadline`](crate::Options::deadline) passed while the entry was inflated.
    #[error("entry {entry:?}: the scan's time ran out after {produced} inflated bytes")]
    Deadline {
        /// Display name of the entry.
        entry: String,
        /// Bytes inflated before giving up.
        produced: u64,
    },
    /// The entry cannot be read at all.
    #[error("entry {entry:?} (local header offset {offset}) is unreadable: {reason}")]
    EntryUnreadable {
        /// Display name of the entry.
        entry: String,
        /// Local header offset from the central directory.
        offset: u64,
        /// Why.
        reason: Unreadable,
    },
    /// The deflate stream is corrupt or ends early.
    #[error(
        "entry {entry:?}: deflate stream at offset {offset} failed after {consumed} input and \
         {produced} output bytes: {reason}"
    )]
    Inflate {
        /// Display name of the entry.
        entry: String,
        /// Offset of the entry's data.
        offset: u64,
        /// Compressed bytes consumed before the failure.
        consumed: u64,
        /// Bytes produced before the failure.
        produced: u64,
        /// What the inflater said.
        reason: String,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
