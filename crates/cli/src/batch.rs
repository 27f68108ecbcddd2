//! Scans many apps in parallel: one failure never stops the others, results stream out as each
//! app finishes, and memory holds only the apps being scanned.

use std::io::{self, IsTerminal as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use apkscope_engine::ScanOptions;
use apkscope_facts::{AppFacts, ScanFailure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use rayon::prelude::*;

use crate::cache::Cache;
use crate::exit::{CliError, Exit, OrExit as _};
use crate::inputs::Input;
use crate::output::SinkError;

/// What happened to one input.
pub(crate) enum Outcome {
    Scanned(Box<AppFacts>),
    Failed(ScanFailure),
}

/// How a batch runs.
pub(crate) struct Batch<'a> {
    pub(crate) options: &'a ScanOptions,
    pub(crate) jobs: usize,
    pub(crate) cache: Option<&'a Cache>,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub(crate) progress: bool,
}

/// Totals of a finished batch.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) scanned: usize,
    pub(crate) failed: usize,
    pub(crate) cached: usize,
    /// Results the consumer could not write (the batch went on).
    pub(crate) unwritten: usize,
    /// Set when the consumer stopped the batch (a closed pipe, a full disk).
    pub(crate) stopped: Option<io::Error>,
}

impl Batch<'_> {
    /// Scans `inputs` on `jobs` threads and hands each outcome to `consume` (one at a time, in
    /// completion order). A result `consume` could not write ([`SinkError::Lost`]) is said on
    /// stderr and counted; a broken stream ([`SinkError::Broken`]) stops the batch: apps not
    /// yet started are skipped.
    pub(crate) fn run(
        &self,
        inputs: &[Input],
        consume: impl FnMut(Outcome) -> Result<(), SinkError> + Send,
    ) -> Result<Tally, CliError> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .thread_name(|i| format!("apkscope-scan-{i}"))
            .build()
            .or_exit(Exit::Usage)?;
        let bar = self.progress_bar(inputs.len());
        let consumer = Mutex::new((consume, Tally::default()));
        let stop = AtomicBool::new(false);
        let failed = AtomicUsize::new(0);
        pool.install(|| {
            // One app per task: a big APK does not hold back the small ones queued behind it.
            inputs.par_iter().with_max_len(1).for_each(|input| {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                let (outcome, from_cache) = self.scan(input);
                let Ok(mut guard) = consumer.lock() else {
                    stop.store(true, Ordering::Relaxed);
                    return;
                };
                let (consume, tally) = &mut *guard;
                match &outcome {
                    Outcome::Scanned(_) => tally.scanned += 1,
                    Outcome::Failed(failure) => {
                        tally.failed += 1;
                        let n = failed.fetch_add(1, Ordering::Relaxed).saturating_add(1);
                        bar.set_message(format!("{n} failed"));
                        // The failure line goes to stderr whatever the format.
                        bar.suspend(|| {
                            eprintln!(
                                "apkscope: {}: {}",
                                failure.input.path, failure.error.message
                            );
                        });
                    }
                }
                if from_cache {
                    tally.cached += 1;
                }
                if tally.stopped.is_none() {
                    match consume(outcome) {
                        Ok(()) => {}
                        Err(SinkError::Lost(message)) => {
                            tally.unwritten += 1;
                            bar.suspend(|| eprintln!("apkscope: {message}"));
                        }
                        Err(SinkError::Broken(err)) => {
                            tally.stopped = Some(err);
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                bar.inc(1);
            });
        });
        bar.finish_and_clear();
        let (_, tally) = consumer
            .into_inner()
            .map_err(|_| anyhow::anyhow!("a result writer panicked (please report it)"))
            .or_exit(Exit::Unwritten)?;
        Ok(tally)
    }

    fn progress_bar(&self, total: usize) -> ProgressBar {
        if !self.progress || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(
            Some(u64::try_from(total).unwrap_or(u64::MAX)),
            ProgressDrawTarget::stderr(),
        );
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {pos}/{len} apps  {rate}  ETA {eta}  {msg}")
        {
            bar.set_style(style.with_key(
                "rate",
                |state: &ProgressState, out: &mut dyn std::fmt::Write| {
                    let _ = write!(out, "{:.1} apps/s", state.per_sec());
                },
            ));
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// Scans one input, through the cache when there is one; never panics out.
    fn scan(&self, input: &Input) -> (Outcome, bool) {
        let path = match input {
            Input::File(path) => path,
            Input::Unreadable { path, kind, reason } => {
                let failure = ScanFailure::new(&path.display().to_string(), kind, reason);
                return (Outcome::Failed(failure), false);
            }
        };
        let label = path.display().to_string();
        let result = catch_unwind(AssertUnwindSafe(|| self.scan_file(path, &label)));
        result.unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            let message = format!("internal error (please report it): {what}");
            (
                Outcome::Failed(ScanFailure::new(&label, "internal", &message)),
                false,
            )
        })
    }

    fn scan_file(&self, path: &Path, label: &str) -> (Outcome, bool) {
        // Read once: the bytes are hashed for the cache and scanned from memory, so a file that
        // changes on disk meanwhile cannot make the two disagree (or the scan fault).
        let data = match apkscope_engine::read_input(path, self.options) {
            Ok(data) => data,
            Err(err) => return (Outcome::Failed(failure(path, label, &err, None)), false),
        };
        let mut sha256 = None;
        if let Some(cache) = self.cache {
            let sha = apkscope_engine::sha256_hex(&data);
            if let Some(mut facts) = cache.get(&sha, label) {
                // Date-dependent findings (certificate validity) are judged today.
                apkscope_engine::check_facts(&mut facts, self.options);
                return (Outcome::Scanned(Box::new(facts)), true);
            }
            sha256 = Some(sha);
        }
        let scanned = match &sha256 {
            Some(sha) => apkscope_engine::scan_bytes_with_sha256(&data, label, sha, self.options),
            None => apkscope_engine::scan_bytes(&data, label, self.options),
        };
        drop(data);
        match scanned {
            Ok(facts) => {
                if let Some(cache) = self.cache
                    && let Err(err) = cache.put(&facts)
                {
                    eprintln!("apkscope: warning: cannot cache the report of {label}: {err}");
                }
                (Outcome::Scanned(Box::new(facts)), false)
            }
            Err(err) => (Outcome::Failed(failure(path, label, &err, sha256)), false),
        }
    }
}

fn failure(
    path: &Path,
    label: &str,
    err: &apkscope_engine::Error,
    sha256: Option<String>,
) -> ScanFailure {
    let mut failure = ScanFailure::new(label, err.kind(), &format!("{err}"));
    failure.input.sha256 = sha256;
    // The size of a regular file only: a FIFO's or folder's says nothing about an app.
    failure.input.size = std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    failure
}
