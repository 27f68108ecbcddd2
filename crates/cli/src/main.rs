//! `apkscope`: static privacy and permission analyzer for Android apps.
//!
//! # Overview
//!
//! A thin shell over the engine and the reports, like ripgrep's `core`: it parses arguments,
//! opens files, picks a report format and maps failures to exit codes. Exit codes: 0 success,
//! 1 findings over the `--fail-on` threshold (or rules that fail validation or tests), 2 an input
//! could not be analysed, 3 usage error.

// The binary is the one place that talks to the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use std::sync::Arc;

use apkscope_engine::{CompiledPack, ScanOptions};
use clap::{Parser, Subcommand, ValueEnum};

/// Exit code when an input cannot be analysed (not a zip, no manifest, unreadable).
const EXIT_INPUT_ERROR: u8 = 2;
/// Exit code for a command line that makes no sense.
const EXIT_USAGE: u8 = 3;

#[derive(Parser, Debug)]
#[command(
    name = "apkscope",
    version,
    about = "Static privacy and permission analyzer for Android apps"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Scan APKs: identity, permissions, SDKs, personal-information access, findings. Takes one
    /// app or a batch (files, folders, lists), in parallel, streaming reports as apps finish.
    Scan(ScanArgs),
    /// Write a baseline accepting the current findings of the apps, for `scan --baseline`.
    Baseline(BaselineArgs),
    /// Aggregate a batch's JSONL results: SDK and permission prevalence, findings, failures.
    Summarize(SummarizeArgs),
    /// Print the decoded AndroidManifest.xml as text XML.
    Manifest(ManifestArgs),
    /// List every class defined in the app's dex files (or in a bare dex file).
    Classes(ClassesArgs),
    /// List, validate or test rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List the entries of the pack in use (default, plus --rules, or --rules-only).
    List(PackArgs),
    /// Validate a folder of rule files (as an addition to the default pack); print every problem.
    Validate {
        /// The folder of *.toml rule files.
        dir: PathBuf,
    },
    /// Run the `[[test]]` cases of the default pack and, when given, of the rule files in DIR
    /// added to it (fixture paths are relative to the current directory).
    Test {
        /// A folder of *.toml rule files to add to the default pack and test.
        dir: Option<PathBuf>,
    },
}

/// Which rule pack to use.
#[derive(clap::Args, Debug, Default)]
struct PackArgs {
    /// Add the rule files in this folder to the default pack.
    #[arg(long, value_name = "DIR", conflicts_with = "rules_only")]
    rules: Option<PathBuf>,
    /// Use only the rule files in this folder, not the default pack.
    #[arg(long, value_name = "DIR")]
    rules_only: Option<PathBuf>,
}

impl PackArgs {
    fn load(&self) -> anyhow::Result<apkscope_rules::Pack> {
        let pack = if let Some(dir) = &self.rules_only {
            apkscope_rules::Pack::from_dir(dir)
                .with_context(|| format!("cannot load rules from {}", dir.display()))?
        } else {
            let mut pack = apkscope_rules::default_pack().context("the embedded rule pack")?;
            if let Some(dir) = &self.rules {
                let extra = apkscope_rules::Pack::from_dir(dir)
                    .with_context(|| format!("cannot load rules from {}", dir.display()))?;
                pack.merge(extra)
                    .with_context(|| format!("cannot add rules from {}", dir.display()))?;
            }
            pack
        };
        Ok(pack)
    }

    fn compile(&self) -> anyhow::Result<Arc<CompiledPack>> {
        let pack = self.load()?;
        let compiled = pack
            .compile()
            .map_err(|err| anyhow::anyhow!("{}", apkscope_rules::render(&err.diagnostics())))?;
        Ok(Arc::new(compiled))
    }
}

#[derive(clap::Args, Debug)]
struct ClassesArgs {
    /// The APK or dex file.
    apk: PathBuf,
    /// Output format: one line per class, or a JSON array.
    #[arg(long, value_enum, default_value_t = ClassesFormat::Text)]
    format: ClassesFormat,
    /// Write the list to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(clap::Args, Debug)]
#[allow(clippy::struct_excessive_bools)] // independent switches of a command line
struct ScanArgs {
    /// APKs (or bare dex files) and folders to scan; folders are walked for *.apk and *.dex.
    #[arg(value_name = "PATH", required_unless_present = "from_list")]
    inputs: Vec<PathBuf>,
    /// Also scan the paths listed in FILE, one per line (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    from_list: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = output::Format::Text)]
    format: output::Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Write one report file per app into this folder (named after the input and its SHA-256).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Apps scanned at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Give up on an app after this many seconds; it becomes a failure record.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    timeout_per_app: u64,
    /// Scan only the inputs whose path hashes to shard K of N (K from 0), e.g. 0/4.
    #[arg(long, value_name = "K/N")]
    shard: Option<inputs::Shard>,
    /// Reuse reports cached in DIR (keyed by the APK's SHA-256, the rule pack and the tool
    /// version) and cache new ones there.
    #[arg(long, value_name = "DIR")]
    cache: Option<PathBuf>,
    /// Exit 1 when a finding at or above this severity remains (after --baseline).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<gate::Severity>,
    /// Leave out findings accepted in this baseline (written by `apkscope baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// No progress bar and no batch summary on standard error (failures are still printed).
    #[arg(long, short)]
    quiet: bool,
    /// Skip the code: read only the container, manifest and resources (milliseconds per app).
    #[arg(long)]
    no_code: bool,
    /// Skip the rule pack: report facts only (no SDKs, permission matrix or findings).
    #[arg(long)]
    no_rules: bool,
    #[command(flatten)]
    pack: PackArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    as_of: AsOfArgs,
}

#[derive(clap::Args, Debug)]
struct BaselineArgs {
    /// The APKs (or folders) whose current findings are accepted.
    #[arg(value_name = "PATH", required_unless_present = "from_list")]
    inputs: Vec<PathBuf>,
    /// Also read the paths listed in FILE, one per line (`-`: standard input).
    #[arg(long, value_name = "FILE")]
    from_list: Option<PathBuf>,
    /// Write the baseline to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Apps scanned at once (default: the number of cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    #[command(flatten)]
    pack: PackArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    as_of: AsOfArgs,
}

#[derive(clap::Args, Debug)]
struct SummarizeArgs {
    /// JSONL files written by `scan --format jsonl` (`-`: standard input).
    #[arg(value_name = "RESULTS", required = true)]
    results: Vec<PathBuf>,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = SummaryFormat::Text)]
    format: SummaryFormat,
    /// Write the summary to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum SummaryFormat {
    /// Readable tables.
    Text,
    /// One long table (section, key, counts) for spreadsheets.
    Csv,
    /// One JSON object.
    Json,
}

#[derive(clap::Args, Debug)]
struct ManifestArgs {
    /// The APK whose manifest to print.
    apk: PathBuf,
    /// Write the XML to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

/// The day findings that depend on dates are judged on.
#[derive(clap::Args, Debug)]
struct AsOfArgs {
    /// Judge certificate validity and pin-set expiry on this day, YYYY-MM-DD (UTC); default:
    /// the scan date. Pin it for reports that do not change from day to day.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    as_of: Option<apkscope_engine::Day>,
}

/// Caps on what one APK may inflate: a zip bomb stops at these instead of exhausting memory.
#[derive(clap::Args, Debug)]
struct LimitArgs {
    /// Largest size one entry may inflate to, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 1024)]
    max_entry_mib: u64,
    /// Largest total one APK may inflate to, in MiB.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    max_total_mib: u64,
}

impl LimitArgs {
    fn scan_options(&self) -> ScanOptions {
        let mut options = ScanOptions::default();
        options.container.max_entry_size = self.max_entry_mib.saturating_mul(1 << 20);
        options.container.max_total_inflated = self.max_total_mib.saturating_mul(1 << 20);
        options
    }
}

fn parse_day(s: &str) -> Result<apkscope_engine::Day, String> {
    apkscope_engine::Day::parse(s).ok_or_else(|| format!("`{s}` is not a day written YYYY-MM-DD"))
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ClassesFormat {
    /// One descriptor per line.
    Text,
    /// A JSON array of class objects.
    Json,
}

mod batch;
mod cache;
mod gate;
mod inputs;
mod output;
mod rules;
mod scan;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            // One line: the file and the reason, with every cause in the chain.
            eprintln!("apkscope: {err:#}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Rules(command) => rules::run(command),
        Command::Scan(args) => scan::scan(args),
        Command::Baseline(args) => scan::baseline(args),
        Command::Summarize(args) => scan::summarize(args),
        command => run_app_command(command).map(|()| ExitCode::SUCCESS),
    }
}

fn run_app_command(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Manifest(args) => {
            let xml = apkscope_engine::manifest_xml_path(&args.apk, &args.limits.scan_options())
                .with_context(|| format!("{}", args.apk.display()))?;
            write_output(args.out.as_deref(), |out| out.write_all(xml.as_bytes()))
        }
        Command::Classes(args) => {
            let index = apkscope_engine::code_index_path(&args.apk, &args.limits.scan_options())
                .with_context(|| format!("{}", args.apk.display()))?;
            write_output(args.out.as_deref(), |out| match args.format {
                ClassesFormat::Json => apkscope_report::write_classes_json(&index, out),
                ClassesFormat::Text => apkscope_report::write_classes_text(&index, out),
            })
        }
        Command::Rules(_) | Command::Scan(_) | Command::Baseline(_) | Command::Summarize(_) => {
            Ok(())
        }
    }
}

/// Runs `write` against the chosen destination and flushes it; a closed pipe is not an error.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let result = if let Some(path) = path {
        let file = File::create(path)
            .with_context(|| format!("cannot create output file {}", path.display()))?;
        let mut out = BufWriter::new(file);
        write(&mut out).and_then(|()| out.flush())
    } else {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        write(&mut out).and_then(|()| out.flush())
    };
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write the report"),
    }
}
