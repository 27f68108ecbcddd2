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
mod attribution;
mod collect;
mod urls;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use analyze::signing::Day;
pub use apkscope_rules::CompiledPack;

use apkscope_facts::{AppFacts, InputFacts};
use sha2::{Digest, Sha256};

pub use apkscope_apk::Options as ContainerOptions;
pub use apkscope_apk::file::open_regular;
pub use apkscope_apk::{Budget, FileError, OverBudget};

/// Default [`ScanOptions::max_app_memory`]: 2 GiB. Real apps stay far below it (the 120 MB-of-dex
/// benchmark APK peaks under 300 MB); a batch runs `--jobs` apps at once, so the CLI lowers its
/// default job count until jobs × budget fits in the machine's memory.
pub const DEFAULT_MAX_APP_MEMORY: u64 = 2 << 30;

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
    /// The memory one app's scan may hold, in bytes: the input, the inflated entries alive at
    /// once and the code index. Over it, the scan stops with [`Error::OverBudget`].
    pub max_app_memory: u64,
    /// Packages (dotted, `com.example.core`) whose code is the app's own, besides its manifest
    /// package and its Application class's package.
    pub app_packages: Vec<String>,
    /// Build the call graph (with code and rules): when each sensitive call site runs, the
    /// chains from startup and launch, the `before-consent` checks. Off, `startup` and
    /// `pi_access[].triggers` are absent and personal-information findings keep the
    /// `capability` confidence.
    pub call_graph: bool,
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
            max_app_memory: DEFAULT_MAX_APP_MEMORY,
            app_packages: Vec::new(),
            call_graph: true,
        }
    }
}

/// Why an app could not be analysed at all. Oddities that still leave a usable app are
/// anomalies in the facts, not errors.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file could not be read (it is not a regular file, too large, changed while read…).
    #[error("{0}")]
    Input(#[from] FileError),
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
    /// The scan would hold more memory than [`ScanOptions::max_app_memory`].
    #[error("gave up while {phase}: the app {source} (--max-app-mib)")]
    OverBudget {
        /// What the scan was doing when it noticed.
        phase: &'static str,
        /// The budget's account.
        #[source]
        source: OverBudget,
    },
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
    /// Stable `snake_case` class of the failure, for batch failure records: `io`,
    /// `not_a_file`, `over_budget`, `not_apk`, `manifest` or `timeout`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(FileError::NotAFile { .. }) => "not_a_file",
            Error::Input(FileError::TooLarge { .. }) | Error::OverBudget { .. } => "over_budget",
            Error::Input(_) => "io",
            Error::Container(_) | Error::MissingManifest => "not_apk",
            Error::ManifestEntry(_) | Error::Manifest(_) => "manifest",
            Error::Timeout { .. } => "timeout",
        }
    }
}

/// When a scan must give up: its deadline and its memory budget. Checked between phases
/// ([`Guard::check`]) and inside long loops ([`Guard::should_stop`]), never preempting work in
/// progress; inflation checks the deadline itself between chunks.
#[derive(Debug, Clone)]
pub(crate) struct Guard {
    at: Option<(Instant, Duration)>,
    budget: Budget,
}

impl Guard {
    fn new(limit: Option<Duration>, budget: Budget) -> Self {
        Self {
            at: limit.and_then(|limit| Instant::now().checked_add(limit).map(|at| (at, limit))),
            budget,
        }
    }

    /// The limits of `options` starting now, for a command that reads one app.
    pub(crate) fn for_command(options: &ScanOptions) -> Self {
        Self::new(options.time_limit, Budget::new(options.max_app_memory))
    }

    /// The instant reads must stop at, for the container's options.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.at.map(|(at, _)| at)
    }

    /// The app's memory budget.
    pub(crate) fn budget(&self) -> &Budget {
        &self.budget
    }

    /// Whether work should stop now: the deadline passed or the budget was exceeded. Loops call
    /// it every few hundred items and return what they have; the next [`check`](Self::check)
    /// turns it into the error.
    pub(crate) fn should_stop(&self) -> bool {
        self.at.is_some_and(|(at, _)| Instant::now() >= at) || self.budget.exceeded().is_some()
    }

    /// Charges `bytes` held until the scan ends; `Err(OverBudget)` when they do not fit.
    pub(crate) fn charge(&self, bytes: u64, phase: &'static str) -> Result<()> {
        self.budget
            .charge_held(bytes)
            .map_err(|source| Error::OverBudget { phase, source })
    }

    /// `Err(OverBudget)` once the budget has been exceeded anywhere, `Err(Timeout)` once the
    /// deadline has passed; `phase` says what the scan was doing.
    pub(crate) fn check(&self, phase: &'static str) -> Result<()> {
        if let Some(source) = self.budget.exceeded() {
            return Err(Error::OverBudget { phase, source });
        }
        match self.at {
            Some((at, limit)) if Instant::now() >= at => Err(Error::Timeout { limit, phase }),
            _ => Ok(()),
        }
    }
}

/// Result of the engine's entry points.
pub type Result<T> = std::result::Result<T, Error>;

/// Reads the input file at `path` into memory for a scan: a regular file no larger than the
/// app's memory budget, read without blocking and whole (see [`apkscope_apk::file`]).
pub fn read_input(path: &Path, options: &ScanOptions) -> Result<Vec<u8>> {
    Ok(apkscope_apk::read_file(path, options.max_app_memory)?)
}

/// Scans the APK (or bare dex file) at `path`; the file is read, never modified.
pub fn scan_path(path: &Path, options: &ScanOptions) -> Result<AppFacts> {
    let data = read_input(path, options)?;
    scan_bytes(&data, &path.display().to_string(), options)
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

/// Scans an APK held in memory whose SHA-256 (lowercase hex, [`sha256_hex`]) the caller already
/// computed — a result cache keys on it — so it is not hashed a second time.
pub fn scan_bytes_with_sha256(
    data: &[u8],
    path: &str,
    sha256: &str,
    options: &ScanOptions,
) -> Result<AppFacts> {
    let mut facts = collect_facts(data, path, options)?;
    sha256.clone_into(&mut facts.input.sha256);
    Ok(facts)
}

/// Everything but the file's hash.
fn collect_facts(data: &[u8], path: &str, options: &ScanOptions) -> Result<AppFacts> {
    let input = InputFacts {
        path: path.to_owned(),
        sha256: String::new(),
        size: u64::try_from(data.len()).unwrap_or(u64::MAX),
    };
    let guard = Guard::for_command(options);
    // The input is held for the whole scan.
    guard.charge(input.size, "reading the input")?;
    collect::collect(data, input, options, &guard)
}

/// Re-runs the checks of `options.rules` over facts read back from a report (a facts JSON):
/// `findings` is replaced, everything else is taken as it is (the code index is not in a
/// report, so SDK inventory and API use are not recomputed). Without a pack, nothing changes.
pub fn check_facts(facts: &mut AppFacts, options: &ScanOptions) {
    if let Some(pack) = &options.rules {
        facts.findings = analyze::run_checks(facts, pack, &options.judged_on());
        (facts.checks, facts.references) = analyze::explain(&facts.findings, pack);
        facts.pi_types = analyze::pi_type_labels(facts, pack);
    }
}

/// `apkscope explain`: scans `path` with `options` (which must carry the rule pack) and lists
/// every site of `target` — a finding's fingerprint, an API or method signature — with one
/// shortest chain from each entry point that reaches it (at most `max_chains` per site).
/// `Err` for an app that cannot be read, or a target that names nothing in it.
pub fn explain_path(
    path: &Path,
    options: &ScanOptions,
    target: &str,
    max_chains: usize,
) -> std::result::Result<apkscope_facts::Explanation, ExplainError> {
    let facts = scan_path(path, options).map_err(ExplainError::Scan)?;
    let pack = options.rules.as_deref().ok_or_else(|| {
        ExplainError::Target("explain needs the rule pack (entry points, APIs)".to_owned())
    })?;
    let guard = Guard::for_command(options);
    analyze::explain::explain(
        &facts,
        pack,
        &options.app_packages,
        target,
        max_chains,
        options.max_app_memory,
        &|| guard.should_stop(),
    )
    .map_err(ExplainError::Target)
}

/// Why `explain` has no answer.
#[derive(Debug)]
pub enum ExplainError {
    /// The app could not be scanned.
    Scan(Error),
    /// The target names nothing in the app (or no rule pack was given).
    Target(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Scan(err) => err.fmt(f),
            Self::Target(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ExplainError {}

/// Indexes the code of the APK or bare dex file at `path` (the manifest is not read).
pub fn code_index_path(path: &Path, options: &ScanOptions) -> Result<apkscope_facts::CodeIndex> {
    let data = read_input(path, options)?;
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

/// An APK's manifest as text XML, and what had to change for it to be well-formed XML.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct ManifestXml {
    /// The XML 1.0 document (UTF-8, with a declaration), references resolved through
    /// `resources.arsc` where possible.
    pub xml: String,
    /// Names, prefixes, namespaces or characters of the binary manifest that XML cannot carry
    /// and were written otherwise (`xml_*` kinds: the detail gives the original and the
    /// replacement). Empty for a manifest aapt could have compiled.
    pub repairs: Vec<apkscope_facts::AnomalyFact>,
}

/// Decodes the manifest of the APK at `path` and renders it as text XML, references resolved
/// through `resources.arsc` where possible.
pub fn manifest_xml_path(path: &Path, options: &ScanOptions) -> Result<ManifestXml> {
    let data = read_input(path, options)?;
    manifest_xml(&data, options)
}

/// Decodes the manifest of an APK held in memory and renders it as text XML.
pub fn manifest_xml(data: &[u8], options: &ScanOptions) -> Result<ManifestXml> {
    collect::manifest_xml(data, options)
}

/// SHA-256 of `data`, lowercase hex: what reports name an input by and a result cache keys on.
pub fn sha256_hex(data: &[u8]) -> String {
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
