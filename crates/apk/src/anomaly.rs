//! Anomalies: oddities in the container that do not stop reading.

use std::fmt;

/// Something odd about the archive that did not stop it from being read.
///
/// `code` is a stable `snake_case` string, one of the constants in [`codes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anomaly {
    /// Stable identifier, one of [`codes`].
    pub code: &'static str,
    /// Offset in the input where the oddity is, when it has one.
    pub offset: Option<u64>,
    /// Display name of the entry concerned, when there is one.
    pub entry: Option<String>,
    /// What was found, with the values involved.
    pub detail: String,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(off) = self.offset {
            write!(f, " at {off:#x}")?;
        }
        if let Some(entry) = &self.entry {
            write!(f, " ({entry:?})")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// The anomaly codes this crate reports. Each is stable.
pub mod codes {
    /// The general-purpose "encrypted" flag (bit 0) is set on an entry.
    /// Android ignores it and reads the entry in clear; malware sets it to
    /// make analyzers (and `unzip`) give up. We read the entry as Android
    /// does. Example detail: `flags 0x0001; read in clear as Android does`.
    pub const ENCRYPTION_FLAG_IGNORED: &str = "encryption_flag_ignored";
    /// A local file header field disagrees with the central directory
    /// (`compressed_size`, `uncompressed_size`, `crc32`, `method`, `name`,
    /// `name_length`). The central directory wins. Modern libziparchive
    /// refuses size/crc/name mismatches when the entry has no data
    /// descriptor. Example detail:
    /// `crc32: local header 0x00000000, central directory 0x1234abcd`.
    pub const LOCAL_HEADER_MISMATCH: &str = "local_header_mismatch";
    /// No local file header signature at the offset the central directory
    /// gives; the entry cannot be read (reading it returns
    /// [`Error::EntryUnreadable`](crate::Error::EntryUnreadable)).
    pub const LOCAL_HEADER_MISSING: &str = "local_header_missing";
    /// Two or more entries have the same name. All are kept in central
    /// directory order; lookup by name returns the first. Android's
    /// libziparchive refuses such archives (`kDuplicateEntry`), older
    /// readers and `java.util.zip` pick different copies (Master Key bug).
    pub const DUPLICATE_ENTRY: &str = "duplicate_entry";
    /// An entry uses a compression method other than stored (0) or
    /// deflate (8). Android's asset manager (libandroidfw) treats any such
    /// method as stored while libziparchive's extraction fails; we read the
    /// `compressed_size` bytes at the data offset as stored (the
    /// Zimperium-2023 evasion).
    pub const UNKNOWN_COMPRESSION_METHOD: &str = "unknown_compression_method";
    /// A stored entry's compressed and uncompressed sizes differ; reading
    /// returns `compressed_size` bytes.
    pub const STORED_SIZE_MISMATCH: &str = "stored_size_mismatch";
    /// An entry name that is dangerous as a path or not clean text: `..`
    /// components, absolute paths (leading `/` or `\`, drive letters),
    /// backslashes, NUL or other control characters, invalid UTF-8, empty.
    /// This crate never uses names as paths; the raw bytes are kept.
    pub const SUSPICIOUS_ENTRY_NAME: &str = "suspicious_entry_name";
    /// Bytes before the first zip record (Janus-style prepended dex when
    /// they start with `dex\n`). Example detail:
    /// `4096 bytes before the first record; starts with dex magic: true`.
    pub const PREPENDED_DATA: &str = "prepended_data";
    /// Bytes between records no record accounts for: between an entry's
    /// data and the next local header, between the last entry and the
    /// signing block or central directory, or between the central
    /// directory and the end records.
    pub const GAP_BETWEEN_RECORDS: &str = "gap_between_records";
    /// Two entries' local records overlap (overlapping-file zip bombs,
    /// or two names sharing one body).
    pub const OVERLAPPING_ENTRIES: &str = "overlapping_entries";
    /// The end-of-central-directory record carries a comment.
    pub const ARCHIVE_COMMENT: &str = "archive_comment";
    /// The EOCD comment length does not reach exactly to the end of the
    /// input (trailing bytes, or a length past the end). libziparchive
    /// refuses such archives.
    pub const EOCD_COMMENT_LENGTH_MISMATCH: &str = "eocd_comment_length_mismatch";
    /// The number of central directory records differs from the EOCD's
    /// entry count. Android reads exactly the declared count.
    pub const ENTRY_COUNT_MISMATCH: &str = "entry_count_mismatch";
    /// The central directory size in the EOCD differs from the records
    /// found.
    pub const CD_SIZE_MISMATCH: &str = "cd_size_mismatch";
    /// The central directory ends early (truncated input or a broken
    /// record); the entries read so far are kept.
    pub const CENTRAL_DIRECTORY_TRUNCATED: &str = "central_directory_truncated";
    /// The archive has more entries than `Options::max_entries`; the rest
    /// are not listed.
    pub const TOO_MANY_ENTRIES: &str = "too_many_entries";
    /// The EOCD's central directory offset is wrong but the directory sits
    /// right before the end records: every offset is shifted by a constant
    /// (bytes prepended without fixing offsets). We read it the way
    /// Info-ZIP does; Android refuses it.
    pub const ARCHIVE_OFFSET_SHIFTED: &str = "archive_offset_shifted";
    /// The zip64 locator points to no valid zip64 EOCD record, or a zip64
    /// extended-information extra field lacks a value the record needs.
    pub const ZIP64_INVALID: &str = "zip64_invalid";
    /// An entry's data runs past the end of the input; reading it returns
    /// [`Error::Truncated`](crate::Error::Truncated).
    pub const ENTRY_DATA_TRUNCATED: &str = "entry_data_truncated";
    /// The APK Signing Block magic is present but the block is malformed
    /// (size fields disagree, a pair runs past the block, ...).
    pub const SIGNING_BLOCK_MALFORMED: &str = "signing_block_malformed";
    /// The entry's data does not match its declared CRC-32 (reported by
    /// [`Apk::read_checked`](crate::Apk::read_checked)).
    pub const CRC_MISMATCH: &str = "crc_mismatch";
    /// The entry inflated to a size other than the declared uncompressed
    /// size (reported by [`Apk::read_checked`](crate::Apk::read_checked));
    /// libziparchive fails such entries (`kInconsistentInformation`).
    pub const SIZE_MISMATCH: &str = "size_mismatch";
    /// More anomalies of one code than this crate lists
    /// (`MAX_ANOMALIES_PER_CODE`); the detail gives the code and count.
    pub const ANOMALIES_SUPPRESSED: &str = "anomalies_suppressed";
}

/// At most this many anomalies of one code are listed; the rest are
/// counted in one [`codes::ANOMALIES_SUPPRESSED`] anomaly.
pub const MAX_ANOMALIES_PER_CODE: usize = 256;

/// Collects anomalies, at most [`MAX_ANOMALIES_PER_CODE`] per code.
#[derive(Debug, Default)]
pub(crate) struct Collector {
    list: Vec<Anomaly>,
    counts: Vec<(&'static str, usize)>,
}

impl Collector {
    pub(crate) fn push(
        &mut self,
        code: &'static str,
        offset: Option<u64>,
        entry: Option<&str>,
        detail: impl Into<String>,
    ) {
        let count = if let Some((_, n)) = self.counts.iter_mut().find(|(c, _)| *c == code) {
            *n = n.saturating_add(1);
            *n
        } else {
            self.counts.push((code, 1));
            1
        };
        if count <= MAX_ANOMALIES_PER_CODE {
            self.list.push(Anomaly {
                code,
                offset,
                entry: entry.map(str::to_owned),
                detail: detail.into(),
            });
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Anomaly> {
        for (code, n) in self.counts {
            if n > MAX_ANOMALIES_PER_CODE {
                self.list.push(Anomaly {
                    code: codes::ANOMALIES_SUPPRESSED,
                    offset: None,
                    entry: None,
                    detail: format!(
                        "{} more `{code}` anomalies not listed ({n} in all)",
                        n.saturating_sub(MAX_ANOMALIES_PER_CODE)
                    ),
                });
            }
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collector_caps_per_code() {
        let mut collector = Collector::default();
        for _ in 0..MAX_ANOMALIES_PER_CODE + 5 {
            collector.push(codes::GAP_BETWEEN_RECORDS, None, None, "x");
        }
        collector.push(codes::ARCHIVE_COMMENT, Some(1), Some("e"), "y");
        let list = collector.finish();
        assert_eq!(list.len(), MAX_ANOMALIES_PER_CODE + 2);
        let summary = list.last().unwrap();
        assert_eq!(summary.code, codes::ANOMALIES_SUPPRESSED);
        assert!(summary.detail.starts_with("5 more `gap_between_records`"));
    }
}
