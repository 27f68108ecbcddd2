//! `apkscope`: static privacy and permission analyzer for Android apps.
//!
//! # Overview
//!
//! A thin shell over the engine and the reports, like ripgrep's `core`: it parses arguments,
//! opens files, picks a report format and maps failures to exit codes (`exit::Exit`; every
//! error path picks its code where it arises):
//!
//! - 0: every input was analysed, and no finding is at or above `--fail-on`;
//! - 1: findings at or above `--fail-on` remain; for `rules validate` / `rules test`, invalid
//!   rules or a failed rule test;
//! - 2: at least one input could not be analysed (the others were); outranks 1;
//! - 3: usage or configuration error (arguments, `--rules`, `--baseline`, `--out`, `--out-dir`,
//!   `--cache`, `--from-list`): nothing was scanned; outranks all;
//! - 4: some results could not be written (a file of `--out-dir`, a broken output stream other
//!   than a closed pipe); outranks 2 and 1.

// The binary is the one place that talks to the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use apkscope_engine::{CompiledPack, ContainerOptions, ScanOptions};
use clap::{Parser, Subcommand, ValueEnum};

use crate::exit::{CliError, Exit, OrExit as _};

/// Bytes in a MiB, the unit of the memory options.
const MIB: u64 = 1 << 20;

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
    /// app or a batch (files, folders, lists), in parallel, streaming reports in input order.
    Scan(ScanArgs),
    /// Write a baseline accepting the current findings of the apps, for `scan --baseline`.
    Baseline(BaselineArgs),
    /// Aggregate a batch's JSONL results: SDK and permission prevalence, findings, failures.
    Summarize(SummarizeArgs),
    /// Compare two builds of an app (APKs or saved JSON reports): SDKs, permissions and
    /// findings added, removed, changed — what a re-test after rectification checks.
    Diff(diff::DiffArgs),
    /// Print the decoded AndroidManifest.xml as text XML.
    Manifest(ManifestArgs),
    /// List every class defined in the app's dex files (or in a bare dex file).
    Classes(ClassesArgs),
    /// Print every call chain from the app's entry points to a sink: a method or API signature
    /// (`Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;`) or a finding's
    /// fingerprint from a scan report — one shortest chain per entry point, per site.
    Explain(ExplainArgs),
    /// List, validate or test rule packs.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Print a shell completion script, e.g. `apkscope completions bash >
    /// ~/.local/share/bash-completion/completions/apkscope`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `apkscope man > ~/.local/share/man/man1/apkscope.1`.
    Man,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List the entries of the pack in use (default, plus --rules, or --rules-only).
    List(PackArgs),
    /// Validate a folder of rule files as an addition to the default pack; print every problem
    /// of its files (not the default pack's), with file, line, column and field.
    Validate {
        /// The folder of *.toml rule files.
        dir: PathBuf,
    },
    /// Run the `[[test]]` cases of the default pack and, when given, of the rule files in DIR
    /// added to it. Fixture paths of DIR's tests are relative to DIR; the default pack's are
    /// relative to the apkscope repository (found from the current folder upwards; its tests
    /// are skipped, with a note, where it is not found).
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
    /// The pack. A folder that cannot be read is a configuration error (exit 3); rules that
    /// do not load end the command with `invalid` (3 for a scan, 1 for `rules test`).
    fn load(&self, invalid: Exit) -> Result<apkscope_rules::Pack, CliError> {
        let pack = if let Some(dir) = &self.rules_only {
            apkscope_rules::Pack::from_dir(dir).map_err(|err| rules_error(&err, dir, invalid))?
        } else {
            let mut pack = apkscope_rules::default_pack()
                .context("the embedded rule pack (please report this)")
                .or_exit(Exit::Usage)?;
            if let Some(dir) = &self.rules {
                let extra = apkscope_rules::Pack::from_dir(dir)
                    .map_err(|err| rules_error(&err, dir, invalid))?;
                pack.merge(extra)
                    .with_context(|| format!("cannot add rules from {}", dir.display()))
                    .or_exit(invalid)?;
            }
            pack
        };
        Ok(pack)
    }

    fn compile(&self, invalid: Exit) -> Result<Arc<CompiledPack>, CliError> {
        let pack = self.load(invalid)?;
        let compiled = pack
            .compile()
            .map_err(|err| anyhow::anyhow!("{}", apkscope_rules::render(&err.diagnostics())))
            .or_exit(invalid)?;
        Ok(Arc::new(compiled))
    }
}

/// A rule folder's load error: unreadable is a configuration error, anything else `invalid`.
fn rules_error(err: &apkscope_rules::Error, dir: &Path, invalid: Exit) -> CliError {
    let exit = if matches!(err, apkscope_rules::Error::Io { .. }) {
        Exit::Usage
    } else {
        invalid
    };
    CliError {
        exit,
        // Flat: the rules error's message already names its cause, which a chain would repeat.
        error: anyhow::anyhow!("cannot load rules from {}: {err}", dir.display()),
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
struct ExplainArgs {
    /// The APK.
    apk: PathBuf,
    /// A method or field signature, or a finding fingerprint (`findings[].fingerprint`).
    target: String,
    /// Most chains shown per site (one per entry point, earliest trigger first).
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_chains: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ClassesFormat::Text)]
    format: ClassesFormat,
    /// Language of the text output: en or zh.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    lang: apkscope_report::Lang,
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    owners: OwnerArgs,
    #[command(flatten)]
    pack: PackArgs,
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
    /// With --format jsonl and --out: append to the results file instead of replacing it (a
    /// torn last line left by a killed run is dropped first).
    #[arg(long, requires = "out")]
    append: bool,
    /// Write one report file per app into this folder (named after the input's file name, a
    /// hash of its path and its SHA-256).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Apps scanned at once (default: the number of cores, lowered so that jobs × --max-app-mib
    /// fits in 3/4 of the memory).
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
    /// Language of the text and HTML reports, SARIF messages and SDK lists: `en` or `zh`
    /// (Simplified Chinese: titles, messages, explanations, personal-information labels). JSON
    /// carries both.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = parse_lang)]
    lang: apkscope_report::Lang,
    /// Skip the code: read only the container, manifest and resources (milliseconds per app).
    #[arg(long)]
    no_code: bool,
    /// Skip the rule pack: report facts only (no SDKs, permission matrix or findings).
    #[arg(long)]
    no_rules: bool,
    /// Skip the call graph: no `startup` section, no triggers on `pi_access`, no
    /// before-consent findings (CONS*); personal-information findings stay at the
    /// `capability` confidence. About a quarter faster on large apps.
    #[arg(long)]
    no_call_graph: bool,
    #[command(flatten)]
    pack: PackArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    as_of: AsOfArgs,
    #[command(flatten)]
    owners: OwnerArgs,
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
    /// Apps scanned at once (default: the number of cores, lowered so that jobs × --max-app-mib
    /// fits in 3/4 of the memory).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    #[command(flatten)]
    pack: PackArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    as_of: AsOfArgs,
    #[command(flatten)]
    owners: OwnerArgs,
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

/// Whose code is the app's own.
#[derive(clap::Args, Debug)]
struct OwnerArgs {
    /// A package (dotted, e.g. `com.example.core`) whose code is the app's own, besides the
    /// manifest package and the Application class's package; repeat for several. Code of an
    /// SDK or library the rule pack knows stays theirs.
    #[arg(long = "app-package", value_name = "PACKAGE", value_parser = parse_package)]
    app_packages: Vec<String>,
}

fn parse_package(s: &str) -> Result<String, String> {
    let valid = !s.is_empty()
        && s.split('.').all(|part| {
            part.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
        });
    if valid {
        Ok(s.to_owned())
    } else {
        Err(format!(
            "`{s}` is not a dotted Java package name such as com.example.core"
        ))
    }
}

/// The day findings that depend on dates are judged on.
#[derive(clap::Args, Debug)]
struct AsOfArgs {
    /// Judge certificate validity and pin-set expiry on this day, YYYY-MM-DD (UTC); default:
    /// the scan date. Pin it for reports that do not change from day to day.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    as_of: Option<apkscope_engine::Day>,
}

/// Caps on what one APK may inflate and hold: a zip bomb or a hostile dex stops at these
/// instead of exhausting memory. The defaults are the engine's and the container's.
#[derive(clap::Args, Debug)]
#[allow(clippy::struct_field_names)] // the fields are the flags: --max-entry-mib, --max-app-mib …
struct LimitArgs {
    /// Largest size one entry may inflate to, in MiB.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = ContainerOptions::default().max_entry_size / MIB
    )]
    max_entry_mib: u64,
    /// Largest total one APK may inflate to (over the whole scan), in MiB.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = ContainerOptions::default().max_total_inflated / MIB
    )]
    max_total_mib: u64,
    /// The memory one app's scan may hold at once (the file, inflated entries, the code index),
    /// in MiB; over it the app is a failure record of kind `over_budget`.
    #[arg(
        long,
        value_name = "MIB",
        default_value_t = apkscope_engine::DEFAULT_MAX_APP_MEMORY / MIB,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    max_app_mib: u64,
}

impl LimitArgs {
    fn scan_options(&self) -> ScanOptions {
        let mut options = ScanOptions::default();
        options.container.max_entry_size = self.max_entry_mib.saturating_mul(MIB);
        options.container.max_total_inflated = self.max_total_mib.saturating_mul(MIB);
        options.max_app_memory = self.max_app_mib.saturating_mul(MIB);
        options
    }
}

fn parse_lang(s: &str) -> Result<apkscope_report::Lang, String> {
    apkscope_report::Lang::parse(s)
        .ok_or_else(|| format!("`{s}` is not a report language: en or zh"))
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
mod diff;
mod exit;
mod fsx;
mod gate;
mod inputs;
mod manual;
mod output;
mod rules;
mod scan;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let exit = if err.use_stderr() {
                Exit::Usage
            } else {
                Exit::Success
            };
            let _ = err.print();
            return exit.into();
        }
    };
    match run(&cli) {
        Ok(exit) => exit.into(),
        Err(CliError { exit, error }) => {
            // One line: the file and the reason, with every cause in the chain.
            eprintln!("apkscope: {error:#}");
            exit.into()
        }
    }
}

fn run(cli: &Cli) -> Result<Exit, CliError> {
    match &cli.command {
        Command::Rules(command) => rules::run(command),
        Command::Scan(args) => scan::scan(args),
        Command::Baseline(args) => scan::baseline(args),
        Command::Summarize(args) => scan::summarize(args),
        Command::Diff(args) => diff::diff(args),
        Command::Completions { shell } => manual::completions(*shell),
        Command::Man => manual::man(),
        command => run_app_command(command).map(|()| Exit::Success),
    }
}

fn run_app_command(command: &Command) -> Result<(), CliError> {
    match command {
        Command::Manifest(args) => {
            let manifest =
                apkscope_engine::manifest_xml_path(&args.apk, &args.limits.scan_options())
                    .map_err(|err| app_error(&args.apk, &err))?;
            // The XML is always well-formed; where the binary manifest held what XML cannot
            // carry, stderr says what was written instead.
            for repair in &manifest.repairs {
                eprintln!(
                    "apkscope: {}: warning: {}: {}",
                    args.apk.display(),
                    repair.kind,
                    repair.detail
                );
            }
            write_output(args.out.as_deref(), |out| {
                out.write_all(manifest.xml.as_bytes())
            })
        }
        Command::Classes(args) => {
            let index = apkscope_engine::code_index_path(&args.apk, &args.limits.scan_options())
                .map_err(|err| app_error(&args.apk, &err))?;
            write_output(args.out.as_deref(), |out| match args.format {
                ClassesFormat::Json => apkscope_report::write_classes_json(&index, out),
                ClassesFormat::Text => apkscope_report::write_classes_text(&index, out),
            })
        }
        Command::Explain(args) => {
            let mut options = args.limits.scan_options();
            options.rules = Some(args.pack.compile(Exit::Usage)?);
            options.app_packages.clone_from(&args.owners.app_packages);
            let explanation =
                apkscope_engine::explain_path(&args.apk, &options, &args.target, args.max_chains)
                    .map_err(|err| match err {
                    apkscope_engine::ExplainError::Scan(err) => app_error(&args.apk, &err),
                    apkscope_engine::ExplainError::Target(why) => CliError {
                        exit: Exit::Usage,
                        error: anyhow::anyhow!("{}: {why}", args.apk.display()),
                    },
                })?;
            write_output(args.out.as_deref(), |out| match args.format {
                ClassesFormat::Json => apkscope_report::write_explanation_json(&explanation, out),
                ClassesFormat::Text => {
                    apkscope_report::write_explanation_text(&explanation, args.lang, out)
                }
            })
        }
        Command::Rules(_)
        | Command::Scan(_)
        | Command::Baseline(_)
        | Command::Summarize(_)
        | Command::Diff(_)
        | Command::Completions { .. }
        | Command::Man => Ok(()),
    }
}

/// An app that could not be read (exit 2), said in one line: the path, then the engine's
/// message, which already names its cause (an error chain would repeat it).
fn app_error(path: &Path, err: &apkscope_engine::Error) -> CliError {
    CliError {
        exit: Exit::Input,
        error: anyhow::anyhow!("{}: {err}", path.display()),
    }
}

/// Runs `write` against the chosen destination and flushes it. A file that cannot be created
/// is a configuration error (exit 3), a failed write exit 4; a closed pipe is not an error.
fn write_output(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> Result<(), CliError> {
    let result = if let Some(path) = path {
        let file = File::create(path)
            .with_context(|| format!("cannot create the output file {}", path.display()))
            .or_exit(Exit::Usage)?;
        let mut out = BufWriter::new(file);
        write(&mut out).and_then(|()| out.flush())
    } else {
        let stdout = io::stdout();
        let mut out = BufWriter::new(stdout.lock());
        write(&mut out).and_then(|()| out.flush())
    };
    match result {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other
            .context("cannot write the output")
            .or_exit(Exit::Unwritten),
    }
}
