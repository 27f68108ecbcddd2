//! `--cache DIR`: reports already computed, keyed by what determines them.
//!
//! A report depends on the APK's bytes, the rule pack, the tool version and the scan options;
//! the key hashes all four, so a re-run after a crash redoes only the apps that never finished,
//! and a re-run after a rule change redoes everything (the pack hash changed). Failures are not
//! cached: a timeout may pass on a quieter machine. Findings that depend on the day
//! (certificate validity) are recomputed by the caller on every hit, so the day is not part of
//! the key.
//!
//! The folder may be shared by several processes (shards of a campaign on one volume) and
//! written by anyone who can write there, so:
//! - entries are written to a temporary file in `tmp/` (created exclusively, never through a
//!   symbolic link) and renamed into place: a killed run never leaves a torn entry, and a
//!   symbolic link planted at an entry's name is replaced, not followed (nor is one planted
//!   in place of `tmp/` or a fan-out folder: the entry is not written);
//! - temporary files a killed run left in `tmp/` are deleted when a later run opens the cache,
//!   once untouched for [`fsx::STALE_TEMP_GRACE`] (a younger one may be another process's
//!   write in progress);
//! - an entry is read only when it is a regular file of at most [`MAX_ENTRY_BYTES`], opened
//!   without blocking: a FIFO, device, folder, oversized, unreadable or stale entry is a miss,
//!   never an error and never a read that blocks.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use apkscope_facts::AppFacts;
use sha2::{Digest, Sha256};

use crate::fsx;

/// Largest cache entry read: real reports are a few MB; anything larger is not ours.
const MAX_ENTRY_BYTES: u64 = 256 << 20;
/// The subfolder holding entries being written.
const TEMP_DIR: &str = "tmp";

/// Fails unless `dir` is a folder itself, not a symbolic link that would send writes elsewhere.
fn real_folder(dir: &Path) -> io::Result<()> {
    if dir.symlink_metadata()?.is_dir() {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{} is not a folder (a symbolic link?)", dir.display()),
        ))
    }
}

/// A folder of cached reports.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    /// Where entries are written before they are renamed into place.
    temp: PathBuf,
    /// Hash of everything but the APK that shapes a report.
    context: String,
}

impl Cache {
    /// Opens (creating it if needed) the cache in `dir` for scans shaped by `context` (the pack
    /// hash, the options that change a report), and sweeps stale temporary files.
    pub(crate) fn open(dir: &Path, context: &str) -> io::Result<Self> {
        let started = SystemTime::now();
        let temp = dir.join(TEMP_DIR);
        fs::create_dir_all(&temp).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot create the cache folder {}: {err}", temp.display()),
            )
        })?;
        real_folder(&temp)?;
        fsx::sweep_stale_temps(&temp, fsx::stale_before(started));
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update([0]);
        hasher.update(apkscope_facts::SCHEMA_VERSION.as_bytes());
        hasher.update([0]);
        hasher.update(context.as_bytes());
        Ok(Self {
            dir: dir.to_owned(),
            temp,
            context: format!("{:x}", hasher.finalize()),
        })
    }

    fn entry_path(&self, apk_sha256: &str) -> PathBuf {
        let mut hasher = Sha256::new();
        hasher.update(self.context.as_bytes());
        hasher.update([0]);
        hasher.update(apk_sha256.as_bytes());
        let key = format!("{:x}", hasher.finalize());
        let (fan, _) = key.split_at(2);
        self.dir.join(fan).join(format!("{key}.json"))
    }

    /// The cached report of the APK with this SHA-256, re-labelled with `path` (the same APK may
    /// sit at several paths).
    pub(crate) fn get(&self, apk_sha256: &str, path: &str) -> Option<AppFacts> {
        let bytes = fsx::read_regular(&self.entry_path(apk_sha256), MAX_ENTRY_BYTES).ok()?;
        let mut facts: AppFacts = serde_json::from_slice(&bytes).ok()?;
        if facts.input.sha256 != apk_sha256 {
            return None;
        }
        path.clone_into(&mut facts.input.path);
        Some(facts)
    }

    /// Stores `facts`; a failure to write is returned for the caller to warn about, the scan
    /// itself stands.
    pub(crate) fn put(&self, facts: &AppFacts) -> io::Result<()> {
        let path = self.entry_path(&facts.input.sha256);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
            real_folder(parent)?;
        }
        let bytes = serde_json::to_vec(facts).map_err(io::Error::other)?;
        fsx::write_via_temp(&self.temp, &path, |out| out.write_all(&bytes))
    }
}
