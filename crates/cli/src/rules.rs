//! `apkscope rules list | validate | test`.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use apkscope_engine::ScanOptions;
use apkscope_facts::AppFacts;
use apkscope_rules::{Pack, RuleTest, codes};

use crate::exit::{CliError, Exit, OrExit as _};
use crate::{PackArgs, RulesCommand, rules_error};

/// Runs a `rules` subcommand. A folder that cannot be read is a configuration error (exit 3);
/// invalid rules and failed rule tests exit 1.
pub(crate) fn run(command: &RulesCommand) -> Result<Exit, CliError> {
    match command {
        RulesCommand::List(args) => list(args),
        RulesCommand::Validate { dir } => validate(dir),
        RulesCommand::Test { dir } => test(dir.as_deref()),
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

/// Name the embedded default pack's files carry in diagnostics (as [`apkscope_rules`] names
/// them).
const DEFAULT_PACK_PREFIX: &str = "rules/";

/// Validates the rule files of `dir` as an addition to the default pack and prints every
/// problem of `dir`'s files at once: each file's syntax and format errors, every id it reuses
/// (from the default pack or from another of its files), every validation error and warning.
/// The default pack's own warnings are not `dir`'s and are left out.
fn validate(dir: &Path) -> Result<Exit, CliError> {
    let files = match Pack::read_dir(dir) {
        Ok(files) => files,
        // A folder that does not exist or cannot be read: nothing was validated. Flat: the
        // rules error names its cause, which a chain would repeat.
        Err(err @ apkscope_rules::Error::Io { .. }) => {
            return Err(CliError {
                exit: Exit::Usage,
                error: anyhow::anyhow!("cannot read rules from {}: {err}", dir.display()),
            });
        }
        // A rule file over the size limits: a problem of the rules.
        Err(err) => {
            print!("{}", apkscope_rules::render(&err.diagnostics()));
            return Ok(Exit::Findings);
        }
    };
    let defaults = apkscope_rules::default_sources();
    // A folder that holds (a version of) the default pack itself — the repository's `rules/`,
    // edited — is a whole pack: validated on its own, or every id would be "reused".
    let default_rels: HashSet<&str> = defaults.iter().map(|(rel, _)| *rel).collect();
    let shared = files
        .iter()
        .filter(|(rel, _)| default_rels.contains(rel.as_str()))
        .count();
    let defaults: &[(&str, &str)] = if shared * 2 > default_rels.len() {
        &[]
    } else {
        defaults
    };
    let default_names: HashSet<String> = defaults
        .iter()
        .map(|(rel, _)| format!("{DEFAULT_PACK_PREFIX}{rel}"))
        .collect();
    // `dir`'s files by their path from here, so that each problem names a file one can open;
    // never under a default file's name (`rules validate rules`), or they could not be told
    // apart.
    let mine: Vec<(String, String)> = files
        .into_iter()
        .map(|(rel, text)| {
            let name = dir.join(&rel).display().to_string();
            let name = if default_names.contains(&name) {
                format!(".{}{name}", std::path::MAIN_SEPARATOR)
            } else {
                name
            };
            (name, text)
        })
        .collect();
    let my_names: HashSet<&str> = mine.iter().map(|(name, _)| name.as_str()).collect();
    // One lenient load of both (not `merge`, which stops at the first reused id), then one
    // validation: every problem, with each reused id reported where `dir` reuses it.
    let sources: Vec<(&str, &str)> = mine
        .iter()
        .map(|(name, text)| (name.as_str(), text.as_str()))
        .collect();
    let defaults: Vec<(String, &str)> = defaults
        .iter()
        .map(|(rel, text)| (format!("{DEFAULT_PACK_PREFIX}{rel}"), *text))
        .collect();
    let all: Vec<(&str, &str)> = defaults
        .iter()
        .map(|(name, text)| (name.as_str(), *text))
        .chain(sources)
        .collect();
    let (pack, mut diagnostics) = Pack::load(&all);
    diagnostics.extend(pack.validate());
    diagnostics.retain(|d| {
        my_names.contains(d.file.as_str())
            || [codes::MORE_ERRORS, codes::MORE_WARNINGS].contains(&d.code)
    });
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

/// One `[[test]]` to run: the test, where it is defined, and the folder its fixture path is
/// relative to (None: the default pack's, whose fixtures were not found).
struct Case {
    test: RuleTest,
    defined_at: String,
    base: Option<PathBuf>,
}

/// Runs the `[[test]]` cases of the default pack and of the rule files in `dir` added to it.
/// Fixture paths of `dir`'s tests are relative to `dir`; the default pack's are relative to
/// the apkscope repository ([`repository_root`]), and are skipped, saying so, when it is not
/// found. Every failing test is printed with its rule, fixture, what was expected and what was
/// got; invalid rules and failed tests exit 1.
fn test(dir: Option<&Path>) -> Result<Exit, CliError> {
    let mut pack = apkscope_rules::default_pack()
        .context("the embedded rule pack (please report this)")
        .or_exit(Exit::Usage)?;
    let default_tests: Vec<(RuleTest, String)> = pack
        .tests()
        .iter()
        .map(|t| (t.value.clone(), t.origin.location().to_string()))
        .collect();
    let fixtures: Vec<&str> = default_tests
        .iter()
        .map(|(t, _)| t.fixture.as_str())
        .collect();
    let root = repository_root(&fixtures);
    let mut cases: Vec<Case> = default_tests
        .into_iter()
        .map(|(test, defined_at)| Case {
            test,
            defined_at,
            base: root.clone(),
        })
        .collect();
    if let Some(dir) = dir {
        // Rules that do not load fail the test run (1); an unreadable folder is 3.
        let extra = Pack::from_dir(dir).map_err(|err| rules_error(&err, dir, Exit::Findings))?;
        cases.extend(extra.tests().iter().map(|t| Case {
            test: t.value.clone(),
            defined_at: t.origin.location().to_string(),
            base: Some(dir.to_owned()),
        }));
        pack.merge(extra)
            .with_context(|| format!("cannot add rules from {}", dir.display()))
            .or_exit(Exit::Findings)?;
    }
    let compiled = pack
        .compile()
        .map_err(|err| anyhow::anyhow!("{}", apkscope_rules::render(&err.diagnostics())))
        .or_exit(Exit::Findings)?;
    let mut options = ScanOptions::default();
    options.rules = Some(Arc::new(compiled));

    let skipped = cases.iter().filter(|c| c.base.is_none()).count();
    if skipped > 0 {
        eprintln!(
            "apkscope: note: the default pack's {skipped} tests were skipped: their fixtures \
             (paths relative to the apkscope repository) are not found from here; run from the \
             repository to include them"
        );
    }
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut scanned: BTreeMap<PathBuf, Result<AppFacts, String>> = BTreeMap::new();
    for case in &cases {
        let Some(base) = &case.base else {
            continue;
        };
        let test = &case.test;
        let fixture = base.join(&test.fixture);
        let facts = scanned
            .entry(fixture.clone())
            .or_insert_with(|| fixture_facts(&fixture, &options));
        let got = match facts {
            Err(err) => Err(format!("an error: cannot scan it: {err}")),
            Ok(facts) => {
                let matched = rule_matches(facts, &test.rule);
                if matched == test.expect {
                    Ok(())
                } else {
                    Err(if matched { "a match" } else { "no match" }.to_owned())
                }
            }
        };
        match got {
            Ok(()) => passed += 1,
            Err(got) => {
                failed += 1;
                println!(
                    "FAIL {} on {} ({}): expected {}, got {got}",
                    test.rule,
                    fixture.display(),
                    case.defined_at,
                    if test.expect { "a match" } else { "no match" },
                );
            }
        }
    }
    if skipped > 0 {
        println!("{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    Ok(if failed == 0 {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// The apkscope repository the default pack's fixture paths are relative to: the current
/// folder or the nearest folder above it, else the checkout apkscope was built from, that has
/// a `rules/` folder and at least one of `fixtures`. None when no such folder is found.
fn repository_root(fixtures: &[&str]) -> Option<PathBuf> {
    let built_from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let built_from = std::fs::canonicalize(&built_from).unwrap_or(built_from);
    let here = std::env::current_dir().ok();
    let candidates = here
        .iter()
        .flat_map(|dir| dir.ancestors())
        .map(Path::to_path_buf)
        .chain(std::iter::once(built_from));
    for candidate in candidates {
        if candidate.join("rules").is_dir() && fixtures.iter().any(|f| candidate.join(f).exists()) {
            // Shown as given when it is the current folder: `FAIL … on fixtures/x.apk`.
            return Some(if here.as_deref() == Some(candidate.as_path()) {
                PathBuf::new()
            } else {
                candidate
            });
        }
    }
    None
}

/// The largest facts JSON a rule test reads (a saved report of a very large app is a few MB).
const MAX_FIXTURE_JSON: u64 = 256 << 20;

/// The facts of a test fixture: an APK is scanned; a facts JSON (a saved report, or a hand-made
/// one for an edge case) is read and its findings recomputed with the pack's checks.
fn fixture_facts(path: &Path, options: &ScanOptions) -> Result<AppFacts, String> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        // Read like any input: a FIFO or device named *.json is refused, not waited on.
        let text = crate::fsx::read_regular(path, MAX_FIXTURE_JSON).map_err(|e| e.to_string())?;
        let mut facts: AppFacts =
            serde_json::from_slice(&text).map_err(|e| format!("not a facts JSON: {e}"))?;
        apkscope_engine::check_facts(&mut facts, options);
        return Ok(facts);
    }
    apkscope_engine::scan_path(path, options).map_err(|e| e.to_string())
}

/// Whether rule `id` matched in `facts`: an SDK or packer detected, a check with a finding, an API
/// called, a permission requested, or a secret pattern found.
fn rule_matches(facts: &AppFacts, id: &str) -> bool {
    facts.sdks.iter().any(|s| s.id == id)
        || facts.packers.iter().any(|p| p.id == id)
        || facts.findings.iter().any(|f| f.rule == id)
        || facts.pi_access.iter().any(|a| a.api == id)
        || facts.permissions.requested.iter().any(|p| p.name == id)
        || facts.network.secrets.iter().any(|s| s.id == id)
}
