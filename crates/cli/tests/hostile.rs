//! The hostile set end to end: a folder of crafted uploads scanned as one batch by the binary,
//! under a fixed address-space limit, with a small memory budget and a short time limit per app.
//! The batch must end on its own with exactly one record per input — a report, or a failure of
//! kind `over_budget` or `timeout` — never an abort that loses the other apps, and `--out-dir`
//! must write nothing outside its folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use apkscope_testkit::hostile;
use apkscope_testkit::zip::ZipEntry;
use serde_json::Value;

const MIB: u64 = 1 << 20;
/// The address space the whole process gets: two apps at a time, each within a 128 MiB budget
/// (and the allocations the budget does not count), plus the program, its threads and the rule
/// pack. Before the budget, the shared type list alone asked for 17 GiB.
const ADDRESS_SPACE_KB: u64 = 1536 * 1024;
const HANG_GUARD: Duration = Duration::from_secs(300);

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-hostile-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the hostile set (and one good app) into `dir`; returns the file names.
fn write_set(dir: &Path) -> Vec<String> {
    let dex = |d: Vec<u8>| hostile::apk(vec![ZipEntry::deflated("classes.dex", d)]);
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "shared-type-list.apk",
            dex(hostile::shared_type_list_dex(65_535, 0, 65_535)),
        ),
        (
            "shared-interfaces.apk",
            dex(hostile::shared_type_list_dex(0, 16_384, 65_535)),
        ),
        (
            "overlapping-type-lists.apk",
            dex(hostile::overlapping_type_lists_dex(65_535, 32_768)),
        ),
        (
            "nested-dex-bombs.apk",
            hostile::nested_dex_bombs(6, 400 * MIB),
        ),
        (
            "shared-local-header.apk",
            hostile::shared_local_header_bombs(200, 100 * MIB),
        ),
        (
            "dex-bomb.apk",
            hostile::apk(vec![hostile::dex_bomb_entry("classes2.dex", 1000 * MIB)]),
        ),
        ("many-native-libs.apk", hostile::many_native_libs(40_000)),
    ];
    let mut names: Vec<String> = files.iter().map(|(n, _)| (*n).to_owned()).collect();
    for (name, bytes) in files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    std::fs::copy(crate::run::demo_apk(), dir.join("demo.apk")).unwrap();
    names.push("demo.apk".to_owned());
    names.sort();
    names
}

/// Runs the binary under `ulimit -v`, killing it (and failing) if it hangs.
fn apkscope_limited(args: &[&str]) -> (Output, Duration) {
    let script = format!("ulimit -v {ADDRESS_SPACE_KB} && exec \"$0\" \"$@\"");
    let start = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_apkscope"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > HANG_GUARD {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("apkscope {args:?} hung: killed after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, start.elapsed())
}

/// The records of a JSONL run by input file name: `report` or the failure kind.
fn outcomes(stdout: &[u8]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in String::from_utf8_lossy(stdout).lines() {
        let record: Value = serde_json::from_str(line).unwrap();
        let path = record["input"]["path"].as_str().unwrap();
        let name = Path::new(path).file_name().unwrap().to_string_lossy();
        let outcome = record["error"]["kind"]
            .as_str()
            .map_or_else(|| "report".to_owned(), str::to_owned);
        let previous = out.insert(name.into_owned(), outcome);
        assert!(previous.is_none(), "two records for {path}");
    }
    out
}

#[test]
fn a_hostile_batch_ends_with_one_record_per_input_within_its_limits() {
    let dir = temp_dir("set");
    let apps = dir.join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    let names = write_set(&apps);
    let apps_arg = apps.to_str().unwrap();
    let (output, took) = apkscope_limited(&[
        "scan",
        apps_arg,
        "--format",
        "jsonl",
        "--quiet",
        "--jobs",
        "2",
        "--max-app-mib",
        "128",
        "--timeout-per-app",
        "2",
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprintln!("hostile batch: {took:?}, {}", output.status);
    // Ended on its own, with "an input could not be analysed", not a signal.
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let outcomes = outcomes(&output.stdout);
    assert_eq!(
        outcomes.keys().cloned().collect::<Vec<_>>(),
        names,
        "{stderr}"
    );
    for (name, outcome) in &outcomes {
        eprintln!("  {name}: {outcome}");
        assert!(
            ["report", "over_budget", "timeout"].contains(&outcome.as_str()),
            "{name}: {outcome}\n{stderr}"
        );
    }
    // The cases the budget or the shared-list index make cheap are reports; the bombs larger
    // than the budget are not.
    for name in ["demo.apk", "shared-type-list.apk", "shared-interfaces.apk"] {
        assert_eq!(outcomes[name], "report", "{name}\n{stderr}");
    }
    for name in ["nested-dex-bombs.apk", "dex-bomb.apk"] {
        assert_ne!(outcomes[name], "report", "{name}\n{stderr}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hostile_batch_writes_nothing_outside_its_out_dir() {
    let dir = temp_dir("out");
    let apps = dir.join("apps");
    let out = dir.join("out");
    std::fs::create_dir_all(&apps).unwrap();
    let dex = hostile::apk(vec![ZipEntry::deflated(
        "classes.dex",
        hostile::shared_type_list_dex(1_000, 10, 65_535),
    )]);
    std::fs::write(apps.join("shared.apk"), &dex).unwrap();
    std::fs::write(
        apps.join("bomb.apk"),
        hostile::nested_dex_bombs(2, 300 * MIB),
    )
    .unwrap();
    std::fs::copy(crate::run::demo_apk(), apps.join("demo.apk")).unwrap();
    let before: Vec<PathBuf> = walk(&dir);
    let (output, _) = apkscope_limited(&[
        "scan",
        apps.to_str().unwrap(),
        "--format",
        "json",
        "--quiet",
        "--max-app-mib",
        "128",
        "--timeout-per-app",
        "2",
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let after = walk(&dir);
    let new: Vec<&PathBuf> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(!new.is_empty());
    for path in &new {
        assert!(
            path.starts_with(&out),
            "written outside --out-dir: {}",
            path.display()
        );
    }
    // One file per input: two reports and the bomb's failure record.
    let written: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(written.len(), 3, "{written:?}");
    assert_eq!(
        written
            .iter()
            .filter(|n| n.ends_with(".error.json"))
            .count(),
        1,
        "{written:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        }
        out.push(path);
    }
    out.sort();
    out
}
