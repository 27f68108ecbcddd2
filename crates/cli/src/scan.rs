//! `apkscope scan`, `apkscope baseline` and `apkscope summarize`.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use apkscope_engine::{CompiledPack, ScanOptions};
use apkscope_facts::{AppFacts, ScanFailure};
use apkscope_report::{RuleDescriptor, Summary};
use serde::Deserialize;

use crate::batch::{Batch, Outcome, Tally};
use crate::cache::Cache;
use crate::gate::{self, Baseline};
use crate::output::Sink;
use crate::{
    BaselineArgs, EXIT_INPUT_ERROR, LimitArgs, ScanArgs, SummarizeArgs, SummaryFormat, inputs,
    write_output,
};

/// Exit code when findings at or above `--fail-on` remain.
const EXIT_FINDINGS: u8 = 1;

pub(crate) fn scan(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let pack = if args.no_rules {
        None
    } else {
        Some(args.pack.compile()?)
    };
    let mut options = scan_options(&args.limits, pack.clone());
    options.as_of.clone_from(&args.as_of.as_of);
    options.code = !args.no_code;
    options.time_limit = Some(Duration::from_secs(args.timeout_per_app));
    let baseline = args.baseline.as_deref().map(Baseline::load).transpose()?;

    let mut inputs = inputs::collect(&args.inputs, args.from_list.as_deref())
        .context("cannot read the inputs")?;
    if let Some(shard) = args.shard {
        inputs.retain(|input| shard.contains(input.path()));
    }
    let batch = inputs::is_batch(&args.inputs, args.from_list.as_deref());
    let cache = args
        .cache
        .as_deref()
        .map(|dir| Cache::open(dir, &cache_context(&options)))
        .transpose()?;
    let rules = pack.as_deref().map(rule_descriptors).unwrap_or_default();
    let title = match (batch, inputs.first()) {
        (false, Some(input)) => format!(
            "apkscope — {}",
            input.path().file_name().map_or_else(
                || input.path().display().to_string(),
                |n| n.to_string_lossy().into_owned()
            )
        ),
        _ => format!("apkscope — {} apps", inputs.len()),
    };
    let mut sink = Sink::open(
        args.format,
        args.out.as_deref(),
        args.out_dir.as_deref(),
        batch,
        &title,
        rules,
    )?;

    let mut over_threshold = 0usize;
    let mut suppressed = 0usize;
    let runner = Batch {
        options: &options,
        jobs: jobs(args.jobs),
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
    finish_output(tally.stopped.take_if_broken_pipe(), || sink.finish())?;

    if batch && !args.quiet {
        eprintln!(
            "{}",
            batch_summary(&tally, args, over_threshold, suppressed)
        );
    }
    Ok(if tally.failed > 0 {
        ExitCode::from(EXIT_INPUT_ERROR)
    } else if over_threshold > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    })
}

/// One line for stderr at the end of a batch.
fn batch_summary(tally: &Tally, args: &ScanArgs, over: usize, suppressed: usize) -> String {
    use std::fmt::Write as _;
    let mut line = format!("apkscope: {} apps scanned", tally.scanned);
    if tally.cached > 0 {
        let _ = write!(line, " ({} from the cache)", tally.cached);
    }
    let _ = write!(line, ", {} failed", tally.failed);
    if let Some(threshold) = args.fail_on {
        let name = format!("{threshold:?}").to_lowercase();
        let _ = write!(line, "; {over} findings at or above {name}");
    }
    if args.baseline.is_some() {
        let _ = write!(line, "; {suppressed} accepted by the baseline");
    }
    line
}

/// A closed pipe (`| head`) ends the output quietly; any other write error is fatal.
trait StoppedExt {
    fn take_if_broken_pipe(&mut self) -> anyhow::Result<()>;
}

impl StoppedExt for Option<io::Error> {
    fn take_if_broken_pipe(&mut self) -> anyhow::Result<()> {
        match self.take() {
            None => Ok(()),
            Some(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
            Some(err) => Err(err).context("cannot write the report"),
        }
    }
}

fn finish_output(
    stopped: anyhow::Result<()>,
    finish: impl FnOnce() -> io::Result<()>,
) -> anyhow::Result<()> {
    stopped?;
    match finish() {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}

pub(crate) fn baseline(args: &BaselineArgs) -> anyhow::Result<ExitCode> {
    let mut options = scan_options(&args.limits, Some(args.pack.compile()?));
    options.as_of.clone_from(&args.as_of.as_of);
    let inputs = inputs::collect(&args.inputs, args.from_list.as_deref())
        .context("cannot read the inputs")?;
    let mut baseline = Baseline::new();
    let runner = Batch {
        options: &options,
        jobs: jobs(args.jobs),
        cache: None,
        progress: false,
    };
    let tally = runner.run(&inputs, |outcome| {
        if let Outcome::Scanned(facts) = outcome {
            baseline.add(&facts);
        }
        Ok(())
    })?;
    if tally.failed > 0 {
        // A baseline missing an app would let that app's findings through unexamined later.
        eprintln!(
            "apkscope: no baseline written: {} of {} inputs failed",
            tally.failed,
            inputs.len()
        );
        return Ok(ExitCode::from(EXIT_INPUT_ERROR));
    }
    write_output(args.out.as_deref(), |out| baseline.write(out))?;
    eprintln!(
        "apkscope: baseline accepts {} findings of {} packages",
        baseline.len(),
        baseline.packages().len()
    );
    Ok(ExitCode::SUCCESS)
}

/// A line of a JSONL results file: a failure record (it has `error`) or a report.
#[derive(Deserialize)]
#[serde(untagged)]
enum ResultLine {
    Failure(ScanFailure),
    App(Box<AppFacts>),
}

pub(crate) fn summarize(args: &SummarizeArgs) -> anyhow::Result<ExitCode> {
    let mut summary = Summary::new();
    let mut bad_lines = 0usize;
    for path in &args.results {
        let reader: Box<dyn Read> = if path == Path::new("-") {
            Box::new(io::stdin())
        } else {
            Box::new(
                File::open(path)
                    .with_context(|| format!("cannot open the results {}", path.display()))?,
            )
        };
        for (number, line) in BufReader::new(reader).lines().enumerate() {
            let line =
                line.with_context(|| format!("cannot read the results {}", path.display()))?;
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
        ExitCode::from(EXIT_INPUT_ERROR)
    } else {
        ExitCode::SUCCESS
    })
}

fn scan_options(limits: &LimitArgs, pack: Option<Arc<CompiledPack>>) -> ScanOptions {
    let mut options = limits.scan_options();
    options.rules = pack;
    options
}

fn jobs(requested: Option<u16>) -> usize {
    requested.map_or_else(
        || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        usize::from,
    )
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
        "pack={pack};code={};dex_checksums={};max_entry={};max_total={};max_entries={}",
        options.code,
        options.verify_dex_checksums,
        options.container.max_entry_size,
        options.container.max_total_inflated,
        options.container.max_entries
    )
}

/// The pack's checks as SARIF rule descriptors.
fn rule_descriptors(pack: &CompiledPack) -> Vec<RuleDescriptor> {
    pack.checks()
        .iter()
        .map(|compiled| {
            let check = &compiled.check;
            RuleDescriptor {
                id: check.id.clone(),
                name: check.name.clone(),
                title: check.title.clone(),
                what: check.what.clone(),
                why: check.why.clone(),
                remediation: check.remediation.clone(),
                severity: check.severity.as_str().to_owned(),
                references: check.references.clone(),
            }
        })
        .collect()
}
