//! Reads APK (zip) containers the way Android does, tolerating and reporting the tricks malware
//! plays on analyzers.
//!
//! # Overview
//!
//! [`Apk::parse`] opens an archive from its end-of-central-directory record and central
//! directory only (zip64 included), as Android's libziparchive does: nothing is inflated and no
//! entry data is copied while opening. Oddities that Android tolerates (or that only analyzers
//! trip over) do not stop reading; they are listed as [`Anomaly`] values with stable codes (see
//! [`codes`]):
//!
//! - the "encrypted" flag is ignored, as Android ignores it;
//! - local headers that disagree with the central directory lose to it;
//! - duplicate names are all kept, in central directory order; lookup returns the first;
//! - unknown compression methods are read as stored, as Android's asset manager reads them;
//! - prepended data (Janus), gaps between records, comments, count mismatches, truncated
//!   directories and suspicious names are reported.
//!
//! [`Apk::read`] returns an entry's bytes, borrowed when stored and inflated (raw deflate,
//! streaming) when deflated, within the caps of [`Options`]: per entry, per archive (a total
//! shared by all threads reading the same [`Apk`] and the archives nested in it), a deadline,
//! and the app's memory [`Budget`], which inflated data is charged to while it is alive.
//! Declared sizes never size an allocation beyond [`MAX_PREALLOC`]. The APK Signing Block is
//! located and its id-value pairs listed ([`SigningBlock`]).
//!
//! Errors ([`Error`]) are returned only when nothing usable remains (no end record, no central
//! directory) or when a single entry cannot be read. The crate never panics on any input and
//! never writes files; [`read_file`] is its only I/O (no memory map: see [`file`]).
//!
//! # Example
//!
//! ```
//! use apkscope_apk::{Apk, codes};
//!
//! # fn main() -> Result<(), apkscope_apk::Error> {
//! // An empty archive: just an end-of-central-directory record.
//! let bytes = b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";
//! let apk = Apk::parse(bytes)?;
//! assert!(apk.entries().is_empty());
//! assert!(apk.read_by_name("classes.dex")?.is_none());
//! assert!(!apk.anomalies().iter().any(|a| a.code == codes::DUPLICATE_ENTRY));
//! # Ok(())
//! # }
//! ```
#![warn(clippy::arithmetic_side_effects)]

mod anomaly;
mod archive;
mod budget;
mod bytes;
mod error;
pub mod file;
mod read;
mod signing;

use std::time::Instant;

pub use anomaly::{Anomaly, MAX_ANOMALIES_PER_CODE, codes};
pub use archive::{Apk, Entry};
pub use budget::{Budget, Charge, OverBudget};
pub use error::{Error, LimitKind, Result, Unreadable};
pub use file::{FileError, read_file};
pub use read::{Checked, EntryData, MAX_PREALLOC};
pub use signing::{
    APK_SIG_BLOCK_MAGIC, KNOWN_IDS, MAX_SIGNING_BLOCK_PAIRS, SigningBlock, SigningBlockPair,
    pair_name,
};

/// Default [`Options::max_entry_size`]: 512 MiB, well above any real dex, resource table or
/// native library, and well below the default memory budget of an app, so that one bomb entry
/// is skipped (an anomaly) rather than taking the whole app over its budget.
pub const DEFAULT_MAX_ENTRY_SIZE: u64 = 512 << 20;
/// Default [`Options::max_total_inflated`]: 4 GiB.
pub const DEFAULT_MAX_TOTAL_INFLATED: u64 = 4 << 30;
/// Default [`Options::max_entries`].
pub const DEFAULT_MAX_ENTRIES: usize = 500_000;

/// Limits applied while opening and reading an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Largest inflated size of one entry, in bytes.
    pub max_entry_size: u64,
    /// Largest total of inflated bytes over all reads of one [`Apk`].
    pub max_total_inflated: u64,
    /// Most central directory entries listed; the rest are reported as
    /// [`codes::TOO_MANY_ENTRIES`].
    pub max_entries: usize,
    /// When reads must stop: inflation past it fails with [`LimitKind::Deadline`], checked
    /// between output chunks, so one large entry cannot outlast the scan's time limit.
    pub deadline: Option<Instant>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_entry_size: DEFAULT_MAX_ENTRY_SIZE,
            max_total_inflated: DEFAULT_MAX_TOTAL_INFLATED,
            max_entries: DEFAULT_MAX_ENTRIES,
            deadline: None,
        }
    }
}
