//! `apkscope`: static privacy and permission analyzer for Android apps.
//!
//! # Overview
//!
//! A thin shell over the engine and the reports, like ripgrep's `core`: it parses arguments,
//! opens files, picks a report format and maps failures to exit codes. Exit codes: 0 success,
//! 2 an input could not be analysed, 3 usage error.

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
    /// Scan an APK: identity, permissions, components, code, container anomalies.
    Scan(ScanArgs),
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
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the list to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(clap::Args, Debug)]
struct ScanArgs {
    /// The APK to scan.
    apk: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    /// A readable summary.
    Text,
    /// The full report as JSON (see README for the fields).
    Json,
    /// The third-party SDK list regulators expect apps to publish, as Markdown (scan only).
    SdkList,
    /// The same SDK list as CSV (scan only).
    SdkListCsv,
}

mod rules;

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
        command => run_app_command(command).map(|()| ExitCode::SUCCESS),
    }
}

fn run_app_command(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Scan(args) => {
            let mut options = args.limits.scan_options();
            options.code = !args.no_code;
            if !args.no_rules {
                options.rules = Some(args.pack.compile()?);
            }
            let facts = apkscope_engine::scan_path(&args.apk, &options)
                .with_context(|| format!("{}", args.apk.display()))?;
            write_output(args.out.as_deref(), |out| match args.format {
                Format::Json => apkscope_report::write_json(&facts, out),
                Format::Text => apkscope_report::write_text(&facts, out),
                Format::SdkList => apkscope_report::write_sdk_list_markdown(&facts, out),
                Format::SdkListCsv => apkscope_report::write_sdk_list_csv(&facts, out),
            })
        }
        Command::Manifest(args) => {
            let xml = apkscope_engine::manifest_xml_path(&args.apk, &args.limits.scan_options())
                .with_context(|| format!("{}", args.apk.display()))?;
            write_output(args.out.as_deref(), |out| out.write_all(xml.as_bytes()))
        }
        Command::Classes(args) => {
            let index = apkscope_engine::code_index_path(&args.apk, &args.limits.scan_options())
                .with_context(|| format!("{}", args.apk.display()))?;
            write_output(args.out.as_deref(), |out| match args.format {
                Format::Json => apkscope_report::write_classes_json(&index, out),
                Format::Text => apkscope_report::write_classes_text(&index, out),
                Format::SdkList | Format::SdkListCsv => {
                    Err(io::Error::other("the SDK list formats apply to `scan`"))
                }
            })
        }
        Command::Rules(_) => Ok(()),
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
