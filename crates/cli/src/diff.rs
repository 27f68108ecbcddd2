//! `apkscope diff OLD NEW`: what changed between two builds of an app, for re-tests.
//!
//! Each side is an APK (or bare dex), scanned here, or a saved report (`scan --format json` of
//! one app), told apart by content: a file whose first byte (after white space and a UTF-8
//! byte-order mark) is `{` is read as a report, anything else is scanned. The comparison and
//! its renderings are `apkscope_report::Diff`'s; this module only reads the sides.
//!
//! A saved report's findings are taken as written, judged by the pack and on the day of its
//! scan. With `--recheck`, or with any option that changes how findings are judged (`--rules`,
//! `--rules-only`, `--as-of`), they are judged again with this run's pack and day
//! (`engine::check_facts`), like a scanned side; SDKs and personal-information access are facts
//! of the report and stay as written (the code is not in a report), and so does ownership:
//! `--app-package` applies to scanned sides only, with a note on stderr when a side is a
//! report.

use std::path::{Path, PathBuf};

use apkscope_engine::ScanOptions;
use apkscope_facts::{AppFacts, SCHEMA_VERSION, ScanFailure};
use apkscope_report::{Diff, Lang};
use clap::ValueEnum;

use crate::exit::{CliError, Exit};
use crate::gate::Severity;
use crate::{AsOfArgs, LimitArgs, OwnerArgs, PackArgs, write_output};

#[derive(clap::Args, Debug)]
pub(crate) struct DiffArgs {
    /// The build tested before: an APK, a bare dex, or a saved report (`scan --format json`
    /// of one app).
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The build that came back: an APK, a bare dex, or a saved report.
    #[arg(value_name = "NEW")]
    new: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    format: DiffFormat,
    /// Write the comparison to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Language of the text and HTML output: `en` or `zh`. JSON carries both.
    #[arg(long, value_name = "LANG", default_value = "en", value_parser = crate::parse_lang)]
    lang: Lang,
    /// Exit 1 when a finding at or above this severity is new in NEW, or rose to it from
    /// below.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on_new: Option<Severity>,
    /// Judge the findings of a saved report again with this run's rule pack and day (implied by
    /// --rules, --rules-only and --as-of); without it a report's findings are taken as written.
    #[arg(long)]
    recheck: bool,
    #[command(flatten)]
    pack: PackArgs,
    #[command(flatten)]
    limits: LimitArgs,
    #[command(flatten)]
    as_of: AsOfArgs,
    #[command(flatten)]
    owners: OwnerArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    /// A readable list of changes.
    Text,
    /// One JSON object (`kind: apkscope-diff`), sorted and deterministic.
    Json,
    /// One self-contained HTML page.
    Html,
}

pub(crate) fn diff(args: &DiffArgs) -> Result<Exit, CliError> {
    let mut options = args.limits.scan_options();
    options.rules = Some(args.pack.compile(Exit::Usage)?);
    options.as_of.clone_from(&args.as_of.as_of);
    options.app_packages.clone_from(&args.owners.app_packages);
    let recheck = args.recheck
        || args.pack.rules.is_some()
        || args.pack.rules_only.is_some()
        || args.as_of.as_of.is_some();

    // Both sides at once: two scans of up to --max-app-mib each.
    let (old, new) = rayon::join(
        || load(&args.old, "OLD", &options, recheck),
        || load(&args.new, "NEW", &options, recheck),
    );
    let (old, new) = (old?, new?);
    if !args.owners.app_packages.is_empty() {
        for (role, side) in [("OLD", &old), ("NEW", &new)] {
            if side.report {
                eprintln!(
                    "apkscope: note: --app-package does not apply to {role} ({}): a saved \
                     report's owners were decided when it was scanned",
                    side.path.display()
                );
            }
        }
    }

    let diff = Diff::new(&old.facts, &new.facts);
    write_output(args.out.as_deref(), |out| match args.format {
        DiffFormat::Text => diff.write_text(args.lang, out),
        DiffFormat::Json => diff.write_json(out),
        DiffFormat::Html => diff.write_html(args.lang, out),
    })?;
    Ok(match args.fail_on_new {
        Some(threshold) if worse_at_or_above(&diff, threshold) > 0 => Exit::Findings,
        _ => Exit::Success,
    })
}

/// Findings new at or above `threshold`, and findings whose severity rose to it from below.
fn worse_at_or_above(diff: &Diff, threshold: Severity) -> usize {
    let at_or_above = |severity: &str| severity_of(severity).is_some_and(|s| s >= threshold);
    let new = diff
        .findings
        .new
        .iter()
        .filter(|f| at_or_above(&f.severity))
        .count();
    let risen = diff
        .findings
        .severity_changed
        .iter()
        .filter(|c| at_or_above(&c.finding.severity) && !at_or_above(&c.old_severity))
        .count();
    new + risen
}

fn severity_of(severity: &str) -> Option<Severity> {
    Severity::from_str(severity, true).ok()
}

/// One side, read.
struct Side {
    path: PathBuf,
    facts: AppFacts,
    /// Read from a saved report rather than scanned.
    report: bool,
}

/// Reads one side: a saved report, or an app to scan. A file that cannot be read, scanned or
/// parsed is an input error (exit 2) naming the side and the reason.
fn load(path: &Path, role: &str, options: &ScanOptions, recheck: bool) -> Result<Side, CliError> {
    let data =
        apkscope_engine::read_input(path, options).map_err(|err| side_error(path, role, &err))?;
    let facts = match json_start(&data) {
        Some(b'{') => {
            let mut facts = read_report(&data).map_err(|reason| CliError {
                exit: Exit::Input,
                error: anyhow::anyhow!("{role} {}: {reason}", path.display()),
            })?;
            if facts.schema_version != SCHEMA_VERSION {
                eprintln!(
                    "apkscope: note: {role} {} is a report of schema {}, this apkscope writes \
                     {SCHEMA_VERSION}: fields it does not know are left out",
                    path.display(),
                    facts.schema_version
                );
            }
            if recheck {
                apkscope_engine::check_facts(&mut facts, options);
            }
            return Ok(Side {
                path: path.to_owned(),
                facts,
                report: true,
            });
        }
        Some(b'[') => {
            return Err(CliError {
                exit: Exit::Input,
                error: anyhow::anyhow!(
                    "{role} {}: a JSON array (a batch's reports?), not one app's report; \
                     compare one app's report (`scan --format json APP.apk`) or its APK",
                    path.display()
                ),
            });
        }
        _ => apkscope_engine::scan_bytes(&data, &path.display().to_string(), options)
            .map_err(|err| side_error(path, role, &err))?,
    };
    Ok(Side {
        path: path.to_owned(),
        facts,
        report: false,
    })
}

/// A side that could not be read or scanned (exit 2), said in one line: which side, the path,
/// the engine's reason.
fn side_error(path: &Path, role: &str, err: &apkscope_engine::Error) -> CliError {
    let hint = if err.kind() == "not_apk" {
        " (nor a saved report, which is the JSON of `scan --format json`)"
    } else {
        ""
    };
    CliError {
        exit: Exit::Input,
        error: anyhow::anyhow!("{role} {}: {err}{hint}", path.display()),
    }
}

/// The first byte of the content past white space and a UTF-8 byte-order mark, when it opens
/// JSON (`{` or `[`). A zip starts with `PK`, a dex with `dex\n`: neither is mistaken for it.
fn json_start(data: &[u8]) -> Option<u8> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    data.iter()
        .copied()
        .find(|b| !b.is_ascii_whitespace())
        .filter(|b| matches!(b, b'{' | b'['))
}

/// A report read back, or why the JSON is not one.
fn read_report(data: &[u8]) -> Result<AppFacts, String> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    serde_json::from_slice::<AppFacts>(data).map_err(|err| {
        match serde_json::from_slice::<ScanFailure>(data) {
            Ok(failure) => format!(
                "a failure record ({}: {}), not a report: the app it names could not be scanned",
                failure.error.kind, failure.error.message
            ),
            Err(_) => format!(
                "starts like JSON but is not an apkscope report (`scan --format json` of one \
                 app): {err}"
            ),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_told_from_apps_by_its_first_byte() {
        assert_eq!(json_start(b"  \n{\"a\":1}"), Some(b'{'));
        assert_eq!(json_start(b"\xEF\xBB\xBF[]"), Some(b'['));
        assert_eq!(json_start(b"PK\x03\x04"), None);
        assert_eq!(json_start(b"dex\n035\0"), None);
        assert_eq!(json_start(b""), None);
    }

    #[test]
    fn reports_failure_records_and_other_json_are_told_apart() {
        let facts = AppFacts::new(apkscope_facts::InputFacts::default());
        let report = serde_json::to_vec(&facts).unwrap();
        assert!(read_report(&report).is_ok());
        let failure = serde_json::to_vec(&ScanFailure::new("x.apk", "not_apk", "no zip")).unwrap();
        let reason = read_report(&failure).unwrap_err();
        assert!(
            reason.contains("a failure record (not_apk: no zip)"),
            "{reason}"
        );
        let reason = read_report(b"{\"hello\": 1}").unwrap_err();
        assert!(reason.contains("not an apkscope report"), "{reason}");
    }
}
