//! `--cache DIR`: reports already computed, keyed by what determines them.
//!
//! A report depends on the APK's bytes, the rule pack, the tool version and the scan options;
//! the key hashes all four, so a re-run after a crash redoes only the apps that never finished,
//! and a re-run after a rule change redoes everything (the pack hash changed). Entries are
//! written to a temporary file and renamed, so a killed run never leaves a torn entry; an
//! unreadable or stale entry is a miss, never an error. Failures are not cached: a timeout
//! may pass on a quieter machine. Findings that depend on the day (certificate validity) are
//! recomputed by the caller on every hit, so the day is not part of the key.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use apkscope_facts::AppFacts;
use sha2::{Digest, Sha256};

/// Numbers temporary files: unique per process and per write, as the same APK listed twice may
/// finish on two threads at once.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// A folder of cached reports.
#[derive(Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
    /// Hash of everything but the APK that shapes a report.
    context: String,
}

impl Cache {
    /// Opens (creating it if needed) the cache in `dir` for scans shaped by `context` (the pack
    /// hash, the options that change a report).
    pub(crate) fn open(dir: &Path, context: &str) -> io::Result<Self> {
        fs::create_dir_all(dir).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot create the cache folder {}: {err}", dir.display()),
            )
        })?;
        let mut hasher = Sha256::new();
        hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
        hasher.update([0]);
        hasher.update(apkscope_facts::SCHEMA_VERSION.as_bytes());
        hasher.update([0]);
        hasher.update(context.as_bytes());
        Ok(Self {
            dir: dir.to_owned(),
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
        let bytes = fs::read(self.entry_path(apk_sha256)).ok()?;
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
        }
        let bytes = serde_json::to_vec(facts).map_err(io::Error::other)?;
        let write = WRITES.fetch_add(1, Ordering::Relaxed);
        let temp = path.with_extension(format!("tmp.{}.{write}", std::process::id()));
        fs::write(&temp, bytes)?;
        fs::rename(&temp, &path).inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
    }
}
