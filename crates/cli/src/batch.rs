//! Scans many apps in parallel: one failure never stops the others, results stream out in input
//! order as soon as an app and every app before it are done, and memory holds only the apps
//! being scanned and a bounded number of finished ones waiting for a slower app before them.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal as _};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use apkscope_engine::ScanOptions;
use apkscope_facts::{AppFacts, ScanFailure};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};

use crate::cache::Cache;
use crate::exit::{CliError, Exit, OrExit as _};
use crate::inputs::Input;
use crate::output::SinkError;

/// How far past the oldest unwritten input another may be started, beyond one input per job.
///
/// Outputs follow input order, so an app that finished waits in memory while an app before it
/// is still being scanned. Input `i` is handed to the pool only when `i < head + jobs +
/// REORDER_LOOKAHEAD`, `head` being the oldest input not yet written; otherwise the batch
/// waits for `head` to be written. So a batch holds at most `jobs + REORDER_LOOKAHEAD` apps
/// started but not written — at most `jobs` being scanned, and at most `jobs +
/// REORDER_LOOKAHEAD - 1` finished reports waiting — however slow the app at the head of the
/// line is. (Over the shared corpus with `--jobs 2`, 8 keeps the throughput of writing in
/// completion order; peak RSS is some 15 MB higher.)
pub(crate) const REORDER_LOOKAHEAD: usize = 8;

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
    /// Scans `inputs` on a pool of `jobs` threads and hands each outcome to `consume`, one at a
    /// time and
    /// in input order, as soon as it and every input before it are done (see
    /// [`REORDER_LOOKAHEAD`] for what waits in memory meanwhile). A failure is said on stderr
    /// when it is handed over. A result `consume` could not write ([`SinkError::Lost`]) is
    /// said on stderr and counted; a broken stream ([`SinkError::Broken`]) stops the batch:
    /// apps not yet started are skipped.
    pub(crate) fn run<C>(&self, inputs: &[Input], consume: C) -> Result<Tally, CliError>
    where
        C: FnMut(Outcome) -> Result<(), SinkError> + Send,
    {
        // The engine's own parallel work (hashing beside parsing, one task per dex) runs in a
        // pool of `jobs` threads, as the apps do: `--jobs 1` keeps to one core.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.jobs)
            .thread_name(|i| format!("apkscope-scan-{i}"))
            .build()
            .or_exit(Exit::Usage)?;
        let bar = self.progress_bar(inputs.len());
        let ordered = Ordered {
            jobs: self.jobs,
            count: inputs.len(),
            bar: &bar,
        };
        let result = ordered.run(
            &pool,
            |index| {
                let outcome = if let Some(input) = inputs.get(index) {
                    self.scan(input)
                } else {
                    let failure =
                        ScanFailure::new("", "internal", "no such input (please report it)");
                    (Outcome::Failed(failure), false)
                };
                bar.inc(1);
                outcome
            },
            consume,
        );
        bar.finish_and_clear();
        Ok(result?.tally)
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

    /// Scans one input, through the cache when there is one; never panics out. Returns the
    /// outcome and whether it came from the cache.
    fn scan(&self, input: &Input) -> (Outcome, bool) {
        let path = match input {
            Input::File(path) => path,
            Input::Unreadable { path, kind, reason } => {
                let failure = ScanFailure::new(&path.display().to_string(), kind, reason);
                return (Outcome::Failed(failure), false);
            }
        };
        let label = path.display().to_string();
        // Read once: the bytes are hashed for the cache and scanned from memory, so a file that
        // changes on disk meanwhile cannot make the two disagree (or the scan fault).
        let data = match apkscope_engine::read_input(path, self.options) {
            Ok(data) => data,
            Err(err) => {
                let mut failure = ScanFailure::new(&label, err.kind(), &err.to_string());
                // The size of a regular file only: a FIFO's or folder's says nothing about an
                // app. Not read, so not hashed.
                failure.input.size = std::fs::metadata(path)
                    .ok()
                    .filter(std::fs::Metadata::is_file)
                    .map(|m| m.len());
                return (Outcome::Failed(failure), false);
            }
        };
        let mut sha256 = None;
        let result = catch_unwind(AssertUnwindSafe(|| {
            self.scan_data(&data, &label, &mut sha256)
        }));
        let (kind, message) = match result {
            Ok(Ok(scanned)) => return scanned,
            Ok(Err(err)) => (err.kind(), err.to_string()),
            Err(panic) => {
                let what = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".to_owned());
                (
                    "internal",
                    format!("internal error (please report it): {what}"),
                )
            }
        };
        // The file was read: its record names the content that failed, whatever the reason.
        let mut failure = ScanFailure::new(&label, kind, &message);
        failure.input.sha256 = Some(sha256.unwrap_or_else(|| apkscope_engine::sha256_hex(&data)));
        failure.input.size = u64::try_from(data.len()).ok();
        (Outcome::Failed(failure), false)
    }

    /// Scans bytes read from `label`, through the cache when there is one; `sha256` is set
    /// when the bytes were hashed on the way (for the cache).
    fn scan_data(
        &self,
        data: &[u8],
        label: &str,
        sha256: &mut Option<String>,
    ) -> Result<(Outcome, bool), apkscope_engine::Error> {
        if let Some(cache) = self.cache {
            let sha = apkscope_engine::sha256_hex(data);
            if let Some(mut facts) = cache.get(&sha, label) {
                // Date-dependent findings (certificate validity) are judged today.
                apkscope_engine::check_facts(&mut facts, self.options);
                return Ok((Outcome::Scanned(Box::new(facts)), true));
            }
            *sha256 = Some(sha);
        }
        let facts = match sha256.as_deref() {
            Some(sha) => apkscope_engine::scan_bytes_with_sha256(data, label, sha, self.options),
            None => apkscope_engine::scan_bytes(data, label, self.options),
        }?;
        if let Some(cache) = self.cache
            && let Err(err) = cache.put(&facts)
        {
            eprintln!("apkscope: warning: cannot cache the report of {label}: {err}");
        }
        Ok((Outcome::Scanned(Box::new(facts)), false))
    }
}

/// Runs `count` numbered inputs on a pool of `jobs` threads and hands their outcomes over in
/// order, holding no more than [`REORDER_LOOKAHEAD`] allows.
///
/// The calling thread hands inputs to the pool in order, each once it is within the window of
/// the oldest unwritten one, and waits (outside the pool) while it is not; the pool's threads
/// scan, then file each outcome and write every outcome now in order. A pool thread never waits
/// for another app, so an app the engine's own parallel work nests on a busy thread cannot
/// deadlock the batch.
struct Ordered<'a> {
    jobs: usize,
    count: usize,
    bar: &'a ProgressBar,
}

/// The shared state of a running batch.
struct Order<C> {
    /// The oldest input not yet handed to the consumer.
    head: usize,
    /// Finished outcomes (and whether each came from the cache) waiting for `head`.
    done: BTreeMap<usize, (Outcome, bool)>,
    /// No more inputs are started (the output broke, or a job panicked).
    stop: bool,
    /// The most finished outcomes that waited at once.
    most_waiting: usize,
    consume: C,
    tally: Tally,
}

/// What [`Ordered::run`] ends with.
struct Finished {
    tally: Tally,
    /// The most finished outcomes that waited in memory at once.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "the tests check the bound with it")
    )]
    most_waiting: usize,
}

impl Ordered<'_> {
    /// `scan(i)` is the outcome of input `i` (and whether it came from the cache), run on
    /// `pool`.
    fn run<S, C>(&self, pool: &rayon::ThreadPool, scan: S, consume: C) -> Result<Finished, CliError>
    where
        S: Fn(usize) -> (Outcome, bool) + Sync,
        C: FnMut(Outcome) -> Result<(), SinkError> + Send,
    {
        let order = Mutex::new(Order {
            head: 0,
            done: BTreeMap::new(),
            stop: false,
            most_waiting: 0,
            consume,
            tally: Tally::default(),
        });
        let advanced = Condvar::new();
        let window = self.jobs.saturating_add(REORDER_LOOKAHEAD);
        let panicked = AtomicBool::new(false);
        pool.in_place_scope(|scope| {
            for index in 0..self.count {
                if !Self::wait_for_room(&order, &advanced, index, window) {
                    break;
                }
                let (order, advanced, scan, panicked) = (&order, &advanced, &scan, &panicked);
                scope.spawn(move |_| {
                    let job = catch_unwind(AssertUnwindSafe(|| {
                        let outcome = scan(index);
                        self.finish(order, advanced, index, outcome);
                    }));
                    if job.is_err() {
                        // A bug (the scan itself never panics out): stop starting inputs, and
                        // never leave the dispatcher waiting for this one.
                        panicked.store(true, Ordering::Relaxed);
                        if let Ok(mut state) = order.lock() {
                            state.stop = true;
                        }
                        advanced.notify_all();
                    }
                });
            }
        });
        let order = order
            .into_inner()
            .ok()
            .filter(|_| !panicked.load(Ordering::Relaxed))
            .ok_or_else(|| anyhow::anyhow!("a result writer panicked (please report it)"))
            .or_exit(Exit::Unwritten)?;
        Ok(Finished {
            tally: order.tally,
            most_waiting: order.most_waiting,
        })
    }

    /// Waits until input `index` is within `window` of the oldest unwritten input; false when
    /// the batch stopped meanwhile.
    fn wait_for_room<C>(
        order: &Mutex<Order<C>>,
        advanced: &Condvar,
        index: usize,
        window: usize,
    ) -> bool {
        let Ok(mut state) = order.lock() else {
            return false;
        };
        loop {
            if state.stop {
                return false;
            }
            if index < state.head.saturating_add(window) {
                return true;
            }
            state = match advanced.wait(state) {
                Ok(state) => state,
                Err(_) => return false,
            };
        }
    }

    /// Files the outcome of input `index` and hands over every outcome now in order.
    fn finish<C>(
        &self,
        order: &Mutex<Order<C>>,
        advanced: &Condvar,
        index: usize,
        outcome: (Outcome, bool),
    ) where
        C: FnMut(Outcome) -> Result<(), SinkError>,
    {
        let Ok(mut guard) = order.lock() else {
            return;
        };
        let state = &mut *guard;
        state.done.insert(index, outcome);
        while let Some((outcome, from_cache)) = state.done.remove(&state.head) {
            state.head = state.head.saturating_add(1);
            self.hand_over(state, outcome, from_cache);
        }
        state.most_waiting = state.most_waiting.max(state.done.len());
        drop(guard);
        advanced.notify_all();
    }

    fn hand_over<C>(&self, state: &mut Order<C>, outcome: Outcome, from_cache: bool)
    where
        C: FnMut(Outcome) -> Result<(), SinkError>,
    {
        let tally = &mut state.tally;
        match &outcome {
            Outcome::Scanned(_) => tally.scanned += 1,
            Outcome::Failed(failure) => {
                tally.failed += 1;
                self.bar.set_message(format!("{} failed", tally.failed));
                // The failure line goes to stderr whatever the format.
                self.bar.suspend(|| {
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
        if tally.stopped.is_some() {
            return;
        }
        match (state.consume)(outcome) {
            Ok(()) => {}
            Err(SinkError::Lost(message)) => {
                state.tally.unwritten += 1;
                self.bar.suspend(|| eprintln!("apkscope: {message}"));
            }
            Err(SinkError::Broken(err)) => {
                state.tally.stopped = Some(err);
                state.stop = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn pool(jobs: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build()
            .unwrap()
    }

    fn failed(index: usize) -> Outcome {
        Outcome::Failed(ScanFailure::new(&index.to_string(), "io", "test"))
    }

    fn index_of(outcome: &Outcome) -> usize {
        match outcome {
            Outcome::Failed(failure) => failure.input.path.parse().unwrap(),
            Outcome::Scanned(facts) => facts.input.path.parse().unwrap(),
        }
    }

    /// Outcomes come out in input order, and while the first input is slow no more than the
    /// window is started.
    #[test]
    fn outcomes_come_in_order_within_the_window() {
        for jobs in [1, 2, 4] {
            let count = 60;
            let started = AtomicUsize::new(0);
            let started_while_first_ran = AtomicUsize::new(0);
            let bar = ProgressBar::hidden();
            let ordered = Ordered {
                jobs,
                count,
                bar: &bar,
            };
            let pool = pool(jobs);
            let mut seen = Vec::new();
            let finished = ordered
                .run(
                    &pool,
                    |i| {
                        started.fetch_add(1, Ordering::SeqCst);
                        if i == 0 {
                            // The head of the line is slow: the others run ahead, up to the
                            // window, and wait.
                            std::thread::sleep(Duration::from_millis(300));
                            started_while_first_ran
                                .store(started.load(Ordering::SeqCst), Ordering::SeqCst);
                        } else if i % 7 == 3 {
                            std::thread::sleep(Duration::from_millis(5));
                        }
                        (failed(i), false)
                    },
                    |outcome| {
                        seen.push(index_of(&outcome));
                        Ok(())
                    },
                )
                .unwrap();
            assert_eq!(seen, (0..count).collect::<Vec<_>>(), "jobs {jobs}");
            assert_eq!(finished.tally.failed, count);
            let window = jobs + REORDER_LOOKAHEAD;
            let ahead = started_while_first_ran.load(Ordering::SeqCst);
            assert!(ahead <= window, "jobs {jobs}: {ahead} started");
            if jobs > 1 {
                // Others did run ahead while the first was slow.
                assert!(ahead > jobs, "jobs {jobs}: only {ahead} started");
            }
            assert!(
                finished.most_waiting < window,
                "jobs {jobs}: {} waited",
                finished.most_waiting
            );
        }
    }

    /// A broken output stops the batch: nothing more is handed over, nothing more starts.
    #[test]
    fn a_broken_output_stops_the_batch() {
        let bar = ProgressBar::hidden();
        let ordered = Ordered {
            jobs: 2,
            count: 100,
            bar: &bar,
        };
        let started = AtomicUsize::new(0);
        let mut handed = 0;
        let finished = ordered
            .run(
                &pool(2),
                |i| {
                    started.fetch_add(1, Ordering::SeqCst);
                    (failed(i), false)
                },
                |_| {
                    handed += 1;
                    if handed == 3 {
                        Err(SinkError::Broken(io::Error::other("full")))
                    } else {
                        Ok(())
                    }
                },
            )
            .unwrap();
        assert_eq!(handed, 3);
        assert!(finished.tally.stopped.is_some());
        assert!(started.load(Ordering::SeqCst) <= 3 + 2 + REORDER_LOOKAHEAD);
    }
}
