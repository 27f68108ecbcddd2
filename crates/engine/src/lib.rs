//! Collects what the parsers find in one app into [`AppFacts`].
//!
//! # Overview
//!
//! The engine is the only crate that knows every parser. For one APK it opens the container,
//! decodes the manifest (resolving references through `resources.arsc`), and turns each parser's
//! typed view and anomalies into the fact schema of `apkscope-facts`. It holds no global state and
//! scans from a byte buffer as well as from a path, so a service can call it from many threads.
//!
//! # Example
//!
//! ```no_run
//! let facts = apkscope_engine::scan_path(
//!     std::path::Path::new("app.apk"),
//!     &apkscope_engine::ScanOptions::default(),
//! )?;
//! println!("{:?}", facts.app.package);
//! # Ok::<(), apkscope_engine::Error>(())
//! ```

mod analyze;
mod code;
mod collect;
mod compiler;
mod native;
mod network;
mod obfuscation;
mod signing;
mod signing_checks;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use apkscope_rules::CompiledPack;
pub use signing_checks::Day;

use apkscope_facts::{AppFacts, InputFacts};
use sha2::{Digest, Sha256};

pub use apkscope_apk::Options as ContainerOptions;

/// The manifest's fixed entry name; Android reads no other.
pub const MANIFEST_ENTRY: &str = "AndroidManifest.xml";
/// The compiled resource table's fixed entry name.
pub const RESOURCES_ENTRY: &str = "resources.arsc";

/// How to scan.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ScanOptions {
    /// Caps on inflation and entry counts for the container.
    pub container: ContainerOptions,
    /// Parse and index the code (every dex). Off, a scan reads only the manifest and resources.
    pub code: bool,
    /// Verify each dex file's adler32 checksum and SHA-1 signature (mismatches are anomalies).
    pub verify_dex_checksums: bool,
    /// The rule pack to evaluate (SDK inventory, permission matrix, findings); none: facts only.
    pub rules: Option<Arc<CompiledPack>>,
    /// Wall time one scan may take; over it the scan stops at its next checkpoint (between
    /// phases and between dex files) with [`Error::Timeout`]. None: no limit.
    pub time_limit: Option<Duration>,
    /// The day certificate validity is judged against (`certificate-expired`,
    /// `certificate-not-yet-valid` checks). None: the scan date, UTC. Pin it for a report
    /// that does not change from one day to the next.
    pub as_of: Option<Day>,
}

impl ScanOptions {
    /// The day date-dependent checks judge on: [`as_of`](Self::as_of), else today (UTC).
    pub(crate) fn judged_on(&self) -> Day {
        self.as_of.clone().unwrap_or_else(Day::today)
    }
}

impl Default for ScanOptions {
    fn default() -> Self {
        Self {
            container: ContainerOptions::default(),
            code: true,
            verify_dex_checksums: true,
            rules: None,
            time_limit: None,
            as_of: None,
        }
    }
}

/// Why an app could not be analysed at all. Oddities that still leave a usable app are
/// anomalies in the facts, not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be opened or mapped.
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    /// The container is not a zip archive Android could open.
    #[error("not an APK: {0}")]
    Container(#[source] apkscope_apk::Error),
    /// The zip has no `AndroidManifest.xml` entry.
    #[error("not an APK: the zip has no AndroidManifest.xml entry")]
    MissingManifest,
    /// The manifest entry exists but its bytes cannot be extracted.
    #[error("AndroidManifest.xml cannot be extracted: {0}")]
    ManifestEntry(#[source] apkscope_apk::Error),
    /// The manifest bytes are not binary XML.
    #[error("AndroidManifest.xml cannot be decoded: {0}")]
    Manifest(#[source] apkscope_axml::Error),
    /// The scan took longer than [`ScanOptions::time_limit`].
    #[error("gave up after {:.1} s while {phase} (the time limit per app)", limit.as_secs_f64())]
    Timeout {
        /// The limit that was exceeded.
        limit: Duration,
        /// What the scan was doing when it noticed.
        phase: &'static str,
    },
}

impl Error {
    /// Stable `snake_case` class of the failure, for batch failure records: `io`, `not_apk`,
    /// `manifest` or `timeout`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Io(_) => "io",
            Error::Container(_) | Error::MissingManifest => "not_apk",
            Error::ManifestEntry(_) | Error::Manifest(_) => "manifest",
            Error::Timeout { .. } => "timeout",
        }
    }
}

/// When a scan must give up; checked between phases, never preempting work in progress.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadline {
    at: Option<(Instant, Duration)>,
}

impl Deadline {
    fn starting_now(limit: Option<Duration>) -> Self {
        Self {
            at: limit.and_then(|limit| Instant::now().checked_add(limit).map(|at| (at, limit))),
        }
    }

    /// No limit.
    pub(crate) fn none() -> Self {
        Self { at: None }
    }

    pub(crate) fn expired(self) -> bool {
        self.at.is_some_and(|(at, _)| Instant::now() >= at)
    }

    /// `Err(Timeout)` once the deadline has passed; `phase` says what comes next.
    pub(crate) fn check(self, phase: &'static str) -> Result<()> {
        match self.at {
            Some((at, limit)) if Instant::now() >= at => Err(Error::Timeout { limit, phase }),
            _ => Ok(()),
        }
    }
}

/// Result of the engine's entry points.
pub type Result<T> = std::result::Result<T, Error>;

/// Scans the APK at `path`; the file is memory-mapped, never modified.
pub fn scan_path(path: &Path, options: &ScanOptions) -> Result<AppFacts> {
    let data = apkscope_apk::map_file(path)?;
    scan_bytes(&data, &path.display().to_string(), options)
}

/// Scans the APK at `path` whose SHA-256 (lowercase hex) the caller already computed with
/// [`file_sha256`] — a result cache keys on it — so the file is not hashed a second time.
pub fn scan_path_with_sha256(path: &Path, sha256: &str, options: &ScanOptions) -> Result<AppFacts> {
    let data = apkscope_apk::map_file(path)?;
    let mut facts = collect_facts(&data, &path.display().to_string(), options)?;
    sha256.clone_into(&mut facts.input.sha256);
    Ok(facts)
}

/// Scans an APK (or a bare dex file: code only) held in memory; `path` is only recorded in the
/// report.
pub fn scan_bytes(data: &[u8], path: &str, options: &ScanOptions) -> Result<AppFacts> {
    // Hashing a large APK costs as much as reading its manifest: do both at once.
    let (sha256, facts) = rayon::join(|| sha256_hex(data), || collect_facts(data, path, options));
    let mut facts = facts?;
    facts.input.sha256 = sha256;
    Ok(facts)
}

/// Everything but the file's hash.
fn collect_facts(data: &[u8], path: &str, options: &ScanOptions) -> Result<AppFacts> {
    let input = InputFacts {
        path: path.to_owned(),
        sha256: String::new(),
        size: u64::try_from(data.len()).unwrap_or(u64::MAX),
    };
    let deadline = Deadline::starting_now(options.time_limit);
    collect::collect(data, input, options, deadline)
}

/// Re-runs the checks of `options.rules` over facts read back from a report (a facts JSON):
/// `findings` is replaced, everything else is taken as it is (the code index is not in a
/// report, so SDK inventory and API use are not recomputed). Without a pack, nothing changes.
pub fn check_facts(facts: &mut AppFacts, options: &ScanOptions) {
    if let Some(pack) = &options.rules {
        facts.findings = analyze::run_checks(facts, pack, &options.judged_on());
    }
}

/// SHA-256 of the file at `path`, lowercase hex: what a result cache keys reports by.
pub fn file_sha256(path: &Path) -> Result<String> {
    let data = apkscope_apk::map_file(path)?;
    Ok(sha256_hex(&data))
}

/// Indexes the code of the APK or bare dex file at `path` (the manifest is not read).
pub fn code_index_path(path: &Path, options: &ScanOptions) -> Result<apkscope_facts::CodeIndex> {
    let data = apkscope_apk::map_file(path)?;
    code_index_bytes(&data, &path.display().to_string(), options)
}

/// Indexes the code of an APK or bare dex file held in memory; `path` names a bare dex.
pub fn code_index_bytes(
    data: &[u8],
    path: &str,
    options: &ScanOptions,
) -> Result<apkscope_facts::CodeIndex> {
    collect::code_only(data, path, options)
}

/// Decodes the manifest of the APK at `path` and renders it as text XML, references resolved
/// through `resources.arsc` where possible.
pub fn manifest_xml_path(path: &Path, options: &ScanOptions) -> Result<String> {
    let data = apkscope_apk::map_file(path)?;
    manifest_xml(&data, options)
}

/// Decodes the manifest of an APK held in memory and renders it as text XML.
pub fn manifest_xml(data: &[u8], options: &ScanOptions) -> Result<String> {
    collect::manifest_xml(data, options)
}

fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

/// Lowercase hex of `bytes`: hashes, fingerprints, magic numbers in anomaly details.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len().saturating_mul(2));
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}
