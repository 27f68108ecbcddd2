//! `apkscope rules list | validate | test`.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use apkscope_engine::ScanOptions;
use apkscope_rules::Pack;

use crate::exit::{CliError, Exit, OrExit as _};
use crate::{PackArgs, RulesCommand};

/// Runs a `rules` subcommand. A folder that cannot be read is a configuration error (exit 3);
/// invalid rules and failed rule tests exit 1.
pub(crate) fn run(command: &RulesCommand) -> Result<Exit, CliError> {
    match command {
        RulesCommand::List(args) => list(args),
        RulesCommand::Validate { dir } => validate(dir),
        RulesCommand::Test { dir } => test(&PackArgs {
            rules: dir.clone(),
            rules_only: None,
        }),
    }
}

fn list(args: &PackArgs) -> Result<Exit, CliError> {
    // The pack in use for scans: a bad --rules folder is a configuration error, as in `scan`.
    let pack = args.load(Exit::Usage)?;
    for p in pack.permissions() {
        let class = p
            .group
            .map(apkscope_rules::Tc260Group::as_str)
            .or(p.special.map(apkscope_rules::Special::as_str))
            .unwrap_or("-");
        println!("permission\t{}\t{}\t{class}", p.name, p.protection_level);
    }
    for s in pack.sdks() {
        let vendor = s.vendor.as_deref().unwrap_or("-");
        println!(
            "sdk\t{}\t{}\t{}\t{vendor}",
            s.id,
            s.name,
            s.category.as_str()
        );
    }
    for p in pack.packers() {
        let vendor = p.vendor.as_deref().unwrap_or("-");
        println!(
            "packer\t{}\t{}\t{}\t{vendor}",
            p.id,
            p.name,
            p.kind.as_str()
        );
    }
    for a in pack.apis() {
        println!("api\t{}\t{}\t{}", a.id, a.pi_type.as_str(), a.signature);
    }
    for c in pack.checks() {
        println!(
            "check\t{}\t{}\t{}\t{}",
            c.id,
            c.name,
            c.severity.as_str(),
            c.title
        );
    }
    eprintln!(
        "{} permissions, {} SDKs, {} packers, {} APIs, {} checks, {} tests",
        pack.permissions().len(),
        pack.sdks().len(),
        pack.packers().len(),
        pack.apis().len(),
        pack.checks().len(),
        pack.tests().len()
    );
    Ok(Exit::Success)
}

fn validate(dir: &Path) -> Result<Exit, CliError> {
    let mut pack = apkscope_rules::default_pack()
        .context("the embedded rule pack (please report this)")
        .or_exit(Exit::Usage)?;
    let files = match Pack::read_dir(dir) {
        Ok(files) => files,
        // A folder that does not exist or cannot be read: nothing was validated.
        Err(err @ apkscope_rules::Error::Io { .. }) => {
            return Err(err)
                .with_context(|| format!("cannot read rules from {}", dir.display()))
                .or_exit(Exit::Usage);
        }
        // A rule file over the size limits: a problem of the rules.
        Err(err) => {
            print!("{}", apkscope_rules::render(&err.diagnostics()));
            return Ok(Exit::Findings);
        }
    };
    let (extra, mut diagnostics) = Pack::load(&files);
    if let Err(err) = pack.merge(extra) {
        diagnostics.extend(err.diagnostics());
    } else {
        diagnostics.extend(pack.validate());
    }
    if diagnostics.is_empty() {
        println!("{}: valid", dir.display());
        return Ok(Exit::Success);
    }
    print!("{}", apkscope_rules::render(&diagnostics));
    let failed = diagnostics.iter().any(apkscope_rules::Diagnostic::is_error);
    Ok(if failed {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn test(args: &PackArgs) -> Result<Exit, CliError> {
    // Rules that do not load or compile fail the test run (1); an unreadable folder is 3.
    let compiled = args.compile(Exit::Findings)?;
    let mut options = ScanOptions::default();
    options.rules = Some(Arc::clone(&compiled));
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut cache: std::collections::BTreeMap<String, Result<apkscope_facts::AppFacts, String>> =
        std::collections::BTreeMap::new();
    for test in compiled.tests() {
        let facts = cache
            .entry(test.fixture.clone())
            .or_insert_with(|| fixture_facts(Path::new(&test.fixture), &options));
        let outcome = match facts {
            Err(err) => Err(format!("cannot scan {}: {err}", test.fixture)),
            Ok(facts) => {
                let matched = rule_matches(facts, &test.rule);
                if matched == test.expect {
                    Ok(())
                } else {
                    Err(format!(
                        "{} on {}: expected {}, got {}",
                        test.rule,
                        test.fixture,
                        if test.expect { "a match" } else { "no match" },
                        if matched { "a match" } else { "none" }
                    ))
                }
            }
        };
        match outcome {
            Ok(()) => passed += 1,
            Err(message) => {
                failed += 1;
                println!("FAIL {message}");
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// The facts of a test fixture: an APK is scanned; a facts JSON (a saved report, or a hand-made
/// one for an edge case) is read and its findings recomputed with the pack's checks.
/// The largest facts JSON a rule test reads (a saved report of a very large app is a few MB).
const MAX_FIXTURE_JSON: u64 = 256 << 20;

fn fixture_facts(path: &Path, options: &ScanOptions) -> Result<apkscope_facts::AppFacts, String> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        // Read like any input: a FIFO or device named *.json is refused, not waited on.
        let text = crate::fsx::read_regular(path, MAX_FIXTURE_JSON).map_err(|e| e.to_string())?;
        let mut facts: apkscope_facts::AppFacts =
            serde_json::from_slice(&text).map_err(|e| format!("not a facts JSON: {e}"))?;
        apkscope_engine::check_facts(&mut facts, options);
        return Ok(facts);
    }
    apkscope_engine::scan_path(path, options).map_err(|e| e.to_string())
}

/// Whether rule `id` matched in `facts`: an SDK or packer detected, a check with a finding, an API
/// called, a permission requested, or a secret pattern found.
fn rule_matches(facts: &apkscope_facts::AppFacts, id: &str) -> bool {
    facts.sdks.iter().any(|s| s.id == id)
        || facts.packers.iter().any(|p| p.id == id)
        || facts.findings.iter().any(|f| f.rule == id)
        || facts.pi_access.iter().any(|a| a.api == id)
        || facts.permissions.requested.iter().any(|p| p.name == id)
        || facts.network.secrets.iter().any(|s| s.id == id)
}
