//! `apkscope scan`, `apkscope baseline` and `apkscope summarize`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use apkscope_engine::{CompiledPack, ScanOptions};
use apkscope_facts::{AppFacts, ScanFailure};
use apkscope_report::{Lang, RuleDescriptor, Summary};
use serde::Deserialize;

use crate::batch::{Batch, Outcome, Tally};
use crate::cache::Cache;
use crate::exit::{CliError, Exit, OrExit as _};
use crate::gate::{self, Baseline};
use crate::inputs::Input;
use crate::output::{self, Destination, Sink, SinkError};
use crate::{
    BaselineArgs, LimitArgs, MIB, ScanArgs, SummarizeArgs, SummaryFormat, inputs, write_output,
};

pub(crate) fn scan(args: &ScanArgs) -> Result<Exit, CliError> {
    if args.append && args.format != output::Format::Jsonl {
        return Err(CliError::usage(
            "--append works with --format jsonl and --out FILE only",
        ));
    }
    let pack = if args.no_rules {
        None
    } else {
        Some(args.pack.compile(Exit::Usage)?)
    };
    let mut options = scan_options(&args.limits, pack.clone());
    options.as_of.clone_from(&args.as_of.as_of);
    options.app_packages.clone_from(&args.owners.app_packages);
    options.code = !args.no_code;
    options.call_graph = !args.no_call_graph;
    options.time_limit = Some(Duration::from_secs(args.timeout_per_app));
    let baseline = args
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()
        .or_exit(Exit::Usage)?;

    let mut inputs = collect_inputs(&args.inputs, args.from_list.as_deref())?;
    if let Some(shard) = args.shard {
        let listed = inputs.len();
        inputs.retain(|input| shard.contains(input.path()));
        // A shard may well draw none of a short list: nothing to do is no error.
        if inputs.is_empty() {
            eprintln!("apkscope: note: shard {shard} holds none of the {listed} inputs");
        }
    }
    let batch = inputs::is_batch(&args.inputs, args.from_list.as_deref());
    let cache = args
        .cache
        .as_deref()
        .map(|dir| Cache::open(dir, &cache_context(&options)))
        .transpose()
        .context("cannot use the cache")
        .or_exit(Exit::Usage)?;
    let rules = pack
        .as_deref()
        .map(|pack| rule_descriptors(pack, args.lang))
        .unwrap_or_default();
    let title = page_title(batch, &inputs, args.lang);
    let destination = Destination {
        format: args.format,
        file: args.out.as_deref(),
        append: args.append,
        dir: args.out_dir.as_deref(),
        batch,
        lang: args.lang,
    };
    let mut sink = Sink::open(&destination, &title, rules)?;

    let mut over_threshold = 0usize;
    let mut suppressed = 0usize;
    let runner = Batch {
        options: &options,
        jobs: jobs(args.jobs, options.max_app_memory),
        cache: cache.as_ref(),
        progress: batch && !args.quiet,
    };
    let mut tally = runner.run(&inputs, |outcome| match outcome {
        Outcome::Scanned(mut facts) => {
            if let Some(baseline) = &baseline {
                suppressed += baseline.suppress(&mut facts);
            }
            if let Some(threshold) = args.fail_on {
                over_threshold += gate::count_at_or_above(&facts, threshold);
            }
            sink.app(&facts)
        }
        Outcome::Failed(failure) => sink.failure(&failure),
    })?;
    // A closed pipe (`| head`) ends the output quietly; any other write error loses results.
    let broken = match tally.stopped.take() {
        Some(err) => Some(err),
        None => sink.finish().err(),
    }
    .filter(|err| err.kind() != io::ErrorKind::BrokenPipe);
    if let Some(err) = &broken {
        eprintln!("apkscope: cannot write the report: {err}");
    }

    if batch && !args.quiet {
        eprintln!(
            "{}",
            batch_summary(&tally, args, over_threshold, suppressed)
        );
    }
    Ok(if broken.is_some() || tally.unwritten > 0 {
        Exit::Unwritten
    } else if tally.failed > 0 {
        Exit::Input
    } else if over_threshold > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// The inputs the paths and the list name. A list that cannot be read is a configuration error
/// (exit 3); paths that name no app at all (a folder without `*.apk` or `*.dex`, an empty list)
/// are an input error (exit 2), so a run given a wrong path does not pass for a clean one.
fn collect_inputs(paths: &[PathBuf], from_list: Option<&Path>) -> Result<Vec<Input>, CliError> {
    let inputs = inputs::collect(paths, from_list)
        .context("cannot read the inputs")
        .or_exit(Exit::Usage)?;
    if inputs.is_empty() {
        let named: Vec<String> = paths
            .iter()
            .map(|p| p.display().to_string())
            .chain(from_list.map(|list| {
                if list == Path::new("-") {
                    "the list on standard input".to_owned()
                } else {
                    format!("the list {}", list.display())
                }
            }))
            .collect();
        return Err(CliError {
            exit: Exit::Input,
            error: anyhow::anyhow!("no APK found in {}", named.join(", ")),
        });
    }
    Ok(inputs)
}

/// One line for stderr at the end of a batch.
fn batch_summary(tally: &Tally, args: &ScanArgs, over: usize, suppressed: usize) -> String {
    use std::fmt::Write as _;
    let mut line = format!("apkscope: {} apps scanned", tally.scanned);
    if tally.cached > 0 {
        let _ = write!(line, " ({} from the cache)", tally.cached);
    }
    let _ = write!(line, ", {} failed", tally.failed);
    if tally.unwritten > 0 {
        let _ = write!(line, ", {} results not written", tally.unwritten);
    }
    if let Some(threshold) = args.fail_on {
        let name = format!("{threshold:?}").to_lowercase();
        let _ = write!(line, "; {over} findings at or above {name}");
    }
    if args.baseline.is_some() {
        let _ = write!(line, "; {suppressed} accepted by the baseline");
    }
    line
}

pub(crate) fn baseline(args: &BaselineArgs) -> Result<Exit, CliError> {
    let mut options = scan_options(&args.limits, Some(args.pack.compile(Exit::Usage)?));
    options.as_of.clone_from(&args.as_of.as_of);
    options.app_packages.clone_from(&args.owners.app_packages);
    let inputs = collect_inputs(&args.inputs, args.from_list.as_deref())?;
    let mut baseline = Baseline::new();
    let runner = Batch {
        options: &options,
        jobs: jobs(args.jobs, options.max_app_memory),
        cache: None,
        progress: false,
    };
    let tally = runner.run(&inputs, |outcome| {
        if let Outcome::Scanned(facts) = outcome {
            baseline.add(&facts);
        }
        Ok::<(), SinkError>(())
    })?;
    if tally.failed > 0 {
        // A baseline missing an app would let that app's findings through unexamined later.
        eprintln!(
            "apkscope: no baseline written: {} of {} inputs failed",
            tally.failed,
            inputs.len()
        );
        return Ok(Exit::Input);
    }
    write_output(args.out.as_deref(), |out| baseline.write(out))?;
    eprintln!(
        "apkscope: baseline accepts {} findings of {} packages",
        baseline.len(),
        baseline.packages().len()
    );
    Ok(Exit::Success)
}

/// A line of a JSONL results file: a failure record (it has `error`) or a report.
#[derive(Deserialize)]
#[serde(untagged)]
enum ResultLine {
    Failure(ScanFailure),
    App(Box<AppFacts>),
}

/// Aggregates JSONL results. A results file that cannot be read is an input error (exit 2),
/// like a line that is neither a report nor a failure record.
pub(crate) fn summarize(args: &SummarizeArgs) -> Result<Exit, CliError> {
    let mut summary = Summary::new();
    let mut bad_lines = 0usize;
    for path in &args.results {
        let reader: Box<dyn Read> = if path == Path::new("-") {
            Box::new(io::stdin())
        } else {
            Box::new(
                File::open(path)
                    .with_context(|| format!("cannot open the results {}", path.display()))
                    .or_exit(Exit::Input)?,
            )
        };
        for (number, line) in BufReader::new(reader).lines().enumerate() {
            let line = line
                .with_context(|| format!("cannot read the results {}", path.display()))
                .or_exit(Exit::Input)?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<ResultLine>(&line) {
                Ok(ResultLine::App(facts)) => summary.add_app(&facts),
                Ok(ResultLine::Failure(failure)) => summary.add_failure(
                    &failure.input.path,
                    &failure.error.kind,
                    &failure.error.message,
                ),
                Err(err) => {
                    bad_lines += 1;
                    eprintln!(
                        "apkscope: {}:{}: not a report or failure record of `scan --format jsonl` \
                         ({err}); skipped",
                        path.display(),
                        number.saturating_add(1)
                    );
                }
            }
        }
    }
    write_output(args.out.as_deref(), |out| match args.format {
        SummaryFormat::Text => summary.write_text(out),
        SummaryFormat::Csv => summary.write_csv(out),
        SummaryFormat::Json => summary.write_json(out),
    })?;
    Ok(if bad_lines > 0 {
        Exit::Input
    } else {
        Exit::Success
    })
}

fn scan_options(limits: &LimitArgs, pack: Option<Arc<CompiledPack>>) -> ScanOptions {
    let mut options = limits.scan_options();
    options.rules = pack;
    options
}

/// Apps scanned at once. By default the core count, lowered so that `jobs × app_memory` fits
/// in [`usable_memory`]; `--jobs` as given, with a warning when it does not fit.
fn jobs(requested: Option<u16>, app_memory: u64) -> usize {
    let usable = memory_total().map(usable_memory);
    if let Some(jobs) = requested {
        if let Some(usable) = usable
            && u64::from(jobs).saturating_mul(app_memory) > usable
        {
            eprintln!(
                "apkscope: warning: --jobs {jobs} × --max-app-mib {} may hold {} MiB, more than \
                 3/4 of this machine's memory ({} MiB usable); apps may run out of memory",
                app_memory / MIB,
                u64::from(jobs).saturating_mul(app_memory) / MIB,
                usable / MIB
            );
        }
        return usize::from(jobs);
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    default_jobs(cores, usable, app_memory)
}

/// The core count, lowered (to at least 1) so that `jobs × app_memory ≤ usable` bytes; not
/// lowered when the memory is unknown.
fn default_jobs(cores: usize, usable: Option<u64>, app_memory: u64) -> usize {
    let Some(fit) = usable.and_then(|usable| usable.checked_div(app_memory)) else {
        return cores;
    };
    cores.min(usize::try_from(fit).unwrap_or(usize::MAX)).max(1)
}

/// The memory a batch may plan to fill: 3/4 of the machine's, leaving room for the system, the
/// page cache and the estimate's error.
fn usable_memory(total: u64) -> u64 {
    total / 4 * 3
}

/// The machine's memory in bytes (`MemTotal` of `/proc/meminfo`); None where unknown.
fn memory_total() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_total(&meminfo)
}

fn parse_mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let mut words = line.split_whitespace().skip(1);
    let value: u64 = words.next()?.parse().ok()?;
    match words.next() {
        Some("kB") => value.checked_mul(1024),
        None => Some(value),
        Some(_) => None,
    }
}

/// The HTML page's title: the app's file name, or the number of apps of a batch.
fn page_title(batch: bool, inputs: &[Input], lang: Lang) -> String {
    match (batch, inputs.first()) {
        (false, Some(input)) => format!(
            "apkscope — {}",
            input.path().file_name().map_or_else(
                || input.path().display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        ),
        _ => apkscope_report::HtmlWriter::batch_title(lang, inputs.len()),
    }
}

/// Everything besides the APK that shapes a report, for the cache key. The day certificates
/// are judged on is not part of it: findings are recomputed from a cached report on every hit
/// (`check_facts`), so a campaign can span midnight without rescanning.
fn cache_context(options: &ScanOptions) -> String {
    let pack = options
        .rules
        .as_deref()
        .map_or_else(|| "none".to_owned(), CompiledPack::pack_hash_hex);
    format!(
        "pack={pack};code={};call_graph={};dex_checksums={};max_entry={};max_total={};\
         max_entries={};max_app_memory={};app_packages={}",
        options.code,
        options.call_graph,
        options.verify_dex_checksums,
        options.container.max_entry_size,
        options.container.max_total_inflated,
        options.container.max_entries,
        options.max_app_memory,
        options.app_packages.join(",")
    )
}

/// The pack's checks as SARIF rule descriptors, worded in `lang` where the pack has it.
fn rule_descriptors(pack: &CompiledPack, lang: Lang) -> Vec<RuleDescriptor> {
    pack.checks()
        .iter()
        .map(|compiled| {
            let check = &compiled.check;
            let zh = check.zh.as_ref().filter(|_| lang == Lang::Zh);
            let text = |en: &String, zh_text: Option<&String>| zh_text.unwrap_or(en).clone();
            RuleDescriptor {
                id: check.id.clone(),
                name: check.name.clone(),
                title: text(&check.title, zh.map(|t| &t.title)),
                what: text(&check.what, zh.map(|t| &t.what)),
                why: text(&check.why, zh.map(|t| &t.why)),
                remediation: text(&check.remediation, zh.map(|t| &t.remediation)),
                severity: check.severity.as_str().to_owned(),
                references: check.references.clone(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_jobs_fit_in_memory() {
        let gib = 1u64 << 30;
        // 8 cores, 4 GiB usable, 2 GiB per app: 2 jobs.
        assert_eq!(default_jobs(8, Some(4 * gib), 2 * gib), 2);
        // Plenty of memory: the core count.
        assert_eq!(default_jobs(2, Some(18 * gib), 2 * gib), 2);
        // Not even one app fits: still one job.
        assert_eq!(default_jobs(4, Some(gib), 2 * gib), 1);
        // Unknown memory: not lowered.
        assert_eq!(default_jobs(4, None, 2 * gib), 4);
        assert_eq!(usable_memory(8 * gib), 6 * gib);
    }

    #[test]
    fn mem_total_is_read_from_meminfo() {
        let meminfo = "MemTotal:       24683584 kB\nMemFree:         1000 kB\n";
        assert_eq!(parse_mem_total(meminfo), Some(24_683_584 * 1024));
        assert_eq!(parse_mem_total("MemFree: 1 kB\n"), None);
        assert_eq!(parse_mem_total("MemTotal: lots\n"), None);
    }
}
