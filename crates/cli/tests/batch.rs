//! Batch scanning end to end: inputs, failures, parallelism, shards, cache, gating, outputs.

use std::collections::BTreeSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use apkscope_testkit::schema::{validate_failure, validate_report, validate_sarif};
use serde_json::Value;

use crate::run::{apkscope, demo_apk, stderr};

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// A folder with two copies of the demo app (one nested), a file that is not an APK, and a text
/// file a folder walk must skip.
fn batch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-batch-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::copy(demo_apk(), dir.join("a.apk")).unwrap();
    std::fs::copy(demo_apk(), dir.join("nested/b.apk")).unwrap();
    std::fs::write(dir.join("broken.apk"), b"not a zip").unwrap();
    std::fs::write(dir.join("notes.txt"), b"skip me").unwrap();
    dir
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Each line of a JSONL output, parsed and checked against the schemas.
fn jsonl(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line).unwrap();
            if value.get("error").is_some() {
                validate_failure(&value).unwrap();
            } else {
                validate_report(&value).unwrap();
            }
            value
        })
        .collect()
}

fn input_names(lines: &[Value]) -> BTreeSet<String> {
    lines
        .iter()
        .map(|l| {
            let path = l["input"]["path"].as_str().unwrap();
            Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn a_folder_batch_streams_reports_and_failure_records() {
    let dir = batch_dir("jsonl");
    let output = apkscope(&["scan", "--format", "jsonl", "--quiet", path_str(&dir)]);
    // One input failed: exit 2, and its error is on stderr.
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("broken.apk"),
        "{}",
        stderr(&output)
    );
    let lines = jsonl(&output);
    assert_eq!(
        input_names(&lines),
        ["a.apk", "b.apk", "broken.apk"].map(String::from).into()
    );
    let failure = lines.iter().find(|l| l.get("error").is_some()).unwrap();
    assert_eq!(failure["error"]["kind"], "not_apk");
    assert_eq!(failure["input"]["size"], 9);
    let reports: Vec<&Value> = lines.iter().filter(|l| l.get("error").is_none()).collect();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["findings"], reports[1]["findings"]);
    assert!(!reports[0]["findings"].as_array().unwrap().is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn one_and_two_jobs_give_the_same_reports() {
    let dir = batch_dir("jobs");
    let sorted = |jobs: &str| {
        let output = apkscope(&[
            "scan",
            "--format",
            "jsonl",
            "-q",
            "--jobs",
            jobs,
            path_str(&dir),
        ]);
        let mut lines: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
        lines.sort();
        lines
    };
    assert_eq!(sorted("1"), sorted("2"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn lists_come_from_files_and_standard_input() {
    let dir = batch_dir("list");
    let list = dir.join("list.txt");
    let a = dir.join("a.apk");
    let missing = dir.join("missing.apk");
    std::fs::write(
        &list,
        format!("# apps to scan\n{}\n\n{}\n", a.display(), missing.display()),
    )
    .unwrap();
    let output = apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "-q",
        "--from-list",
        path_str(&list),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let lines = jsonl(&output);
    assert_eq!(lines.len(), 2);
    let failure = lines.iter().find(|l| l.get("error").is_some()).unwrap();
    assert_eq!(failure["error"]["kind"], "io");

    let mut child = Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args(["scan", "--format", "jsonl", "-q", "--from-list", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", a.display()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(jsonl(&output).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn shards_split_a_batch_without_overlap() {
    let dir = batch_dir("shard");
    for i in 0..6 {
        std::fs::copy(demo_apk(), dir.join(format!("copy{i}.apk"))).unwrap();
    }
    let whole = input_names(&jsonl(&apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "-q",
        "--no-code",
        path_str(&dir),
    ])));
    let mut union = BTreeSet::new();
    let mut total = 0;
    for k in 0..3 {
        let shard = format!("{k}/3");
        let names = input_names(&jsonl(&apkscope(&[
            "scan",
            "--format",
            "jsonl",
            "-q",
            "--no-code",
            "--shard",
            &shard,
            path_str(&dir),
        ])));
        total += names.len();
        union.extend(names);
    }
    assert_eq!(total, whole.len(), "shards overlap");
    assert_eq!(union, whole);
    assert_eq!(
        apkscope(&["scan", "--shard", "3/3", path_str(&dir)])
            .status
            .code(),
        Some(3)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_cache_returns_the_same_reports_and_says_so() {
    let dir = batch_dir("cache");
    std::fs::remove_file(dir.join("broken.apk")).unwrap();
    let cache = dir.join("cache");
    let (a, nested) = (dir.join("a.apk"), dir.join("nested"));
    let args = [
        "scan",
        "--format",
        "jsonl",
        "--cache",
        path_str(&cache),
        path_str(&a),
        path_str(&nested),
    ];
    // First a.apk alone: nothing is cached yet. (Its copy in nested/ is left out: whether a
    // copy scanned in the same run finds the other's entry depends on which finishes first.)
    let first = apkscope(&args[..args.len() - 1]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        !stderr(&first).contains("from the cache"),
        "{}",
        stderr(&first)
    );
    let second = apkscope(&args);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("(2 from the cache)"),
        "{}",
        stderr(&second)
    );
    // The same report, from the cache; records come in input order.
    let second_lines: Vec<String> = stdout(&second).lines().map(str::to_owned).collect();
    assert_eq!(second_lines.len(), 2);
    assert_eq!(stdout(&first).trim_end(), second_lines[0]);
    // A cached report is re-judged on the day of the run: the demo certificate is not yet
    // valid in 2000 (SIGN004), and fine in 2050.
    let rules_on = |day: &str| {
        let output = apkscope(&[
            "scan",
            "--format",
            "jsonl",
            "--as-of",
            day,
            "--cache",
            path_str(&cache),
            path_str(&nested),
        ]);
        assert!(
            stderr(&output).contains("(1 from the cache)"),
            "{}",
            stderr(&output)
        );
        let report: Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect::<BTreeSet<String>>()
    };
    assert!(rules_on("2000-01-01").contains("SIGN004"));
    assert!(!rules_on("2050-01-01").contains("SIGN004"));
    // Other options are another cache key: no hit (a.apk alone: a copy scanned in the same
    // run could find the other's fresh entry, depending on which finishes first).
    let no_code = apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "--no-code",
        "--cache",
        path_str(&cache),
        path_str(&a),
    ]);
    assert!(
        !stderr(&no_code).contains("from the cache"),
        "{}",
        stderr(&no_code)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn timeouts_become_failure_records() {
    let demo = demo_apk();
    let output = apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "--timeout-per-app",
        "0",
        path_str(&demo),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let lines = jsonl(&output);
    assert_eq!(lines[0]["error"]["kind"], "timeout");
    assert!(
        stderr(&output).contains("gave up after"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn fail_on_and_baseline_gate_a_build() {
    let dir = batch_dir("gate");
    let demo = demo_apk();
    // The demo has high findings and no critical ones.
    let high = apkscope(&["scan", "--fail-on", "high", path_str(&demo)]);
    assert_eq!(high.status.code(), Some(1), "{}", stderr(&high));
    let critical = apkscope(&["scan", "--fail-on", "critical", path_str(&demo)]);
    assert_eq!(critical.status.code(), Some(0), "{}", stderr(&critical));

    let baseline = dir.join("baseline.json");
    let written = apkscope(&["baseline", path_str(&demo), "--out", path_str(&baseline)]);
    assert!(written.status.success(), "{}", stderr(&written));
    let gated = apkscope(&[
        "scan",
        "--format",
        "json",
        "--fail-on",
        "info",
        "--baseline",
        path_str(&baseline),
        path_str(&demo),
    ]);
    assert_eq!(gated.status.code(), Some(0), "{}", stderr(&gated));
    let report: Value = serde_json::from_slice(&gated.stdout).unwrap();
    validate_report(&report).unwrap();
    assert_eq!(report["findings"].as_array().unwrap().len(), 0);

    // A report is not a baseline.
    let report_file = dir.join("report.json");
    std::fs::write(&report_file, &gated.stdout).unwrap();
    let refused = apkscope(&[
        "scan",
        "--baseline",
        path_str(&report_file),
        path_str(&demo),
    ]);
    // A bad --baseline is a configuration error: nothing was scanned.
    assert_eq!(refused.status.code(), Some(3));
    assert!(
        stderr(&refused).contains("not a baseline"),
        "{}",
        stderr(&refused)
    );
    // An input error outranks findings.
    let both = apkscope(&[
        "scan",
        "-q",
        "--fail-on",
        "info",
        path_str(&demo),
        path_str(&dir.join("broken.apk")),
    ]);
    assert_eq!(both.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn summarize_aggregates_a_jsonl_batch() {
    let dir = batch_dir("summary");
    let results = dir.join("results.jsonl");
    let scan = apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "-q",
        "--out",
        path_str(&results),
        path_str(&dir),
    ]);
    assert_eq!(scan.status.code(), Some(2));
    // A run killed mid-line leaves a torn last line: reported, the rest still summarised.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&results)
        .unwrap();
    file.write_all(b"{\"schema_version\": \"0.1\", \"inp")
        .unwrap();
    drop(file);

    let json = apkscope(&["summarize", "--format", "json", path_str(&results)]);
    assert_eq!(json.status.code(), Some(2), "{}", stderr(&json));
    assert!(
        stderr(&json).contains("results.jsonl:4"),
        "{}",
        stderr(&json)
    );
    let summary: Value = serde_json::from_slice(&json.stdout).unwrap();
    let text = summary.to_string();
    assert!(text.contains("jpush"), "{text}");
    let text = apkscope(&["summarize", path_str(&results)]);
    assert!(stdout(&text).contains("JPush"), "{}", stdout(&text));
    let csv = apkscope(&["summarize", "--format", "csv", path_str(&results)]);
    assert!(stdout(&csv).lines().count() > 5);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_format_works_for_one_app_and_for_a_batch() {
    let dir = batch_dir("formats");
    let demo = demo_apk();
    // SARIF: one run per app, failures as failed runs; valid against the official schema.
    let one = apkscope(&["scan", "--format", "sarif", path_str(&demo)]);
    assert!(one.status.success(), "{}", stderr(&one));
    let log: Value = serde_json::from_slice(&one.stdout).unwrap();
    validate_sarif(&log).unwrap();
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let many = apkscope(&["scan", "--format", "sarif", "-q", path_str(&dir)]);
    let log: Value = serde_json::from_slice(&many.stdout).unwrap();
    validate_sarif(&log).unwrap();
    assert_eq!(log["runs"].as_array().unwrap().len(), 3);
    let runs = log["runs"].as_array().unwrap();
    let failed = runs
        .iter()
        .filter(|r| r["invocations"][0]["executionSuccessful"] == false)
        .count();
    assert_eq!(failed, 1);
    let analysed = runs.iter().find(|r| r.get("results").is_some()).unwrap();
    let rules = analysed["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "PERM001"));

    // JSON: one object for one app, an array for a batch.
    let array: Value = serde_json::from_slice(
        &apkscope(&["scan", "--format", "json", "-q", path_str(&dir)]).stdout,
    )
    .unwrap();
    let array = array.as_array().unwrap();
    assert_eq!(array.len(), 3);
    for item in array {
        if item.get("error").is_some() {
            validate_failure(item).unwrap();
        } else {
            validate_report(item).unwrap();
        }
    }

    // HTML: one page for a batch, one file per app with --out-dir.
    let html = stdout(&apkscope(&[
        "scan",
        "--format",
        "html",
        "-q",
        path_str(&dir),
    ]));
    assert_eq!(html.matches("<html").count(), 1);
    assert!(html.contains("broken.apk"));
    let per_app = dir.join("html");
    let output = apkscope(&[
        "scan",
        "--format",
        "html",
        "-q",
        "--out-dir",
        path_str(&per_app),
        path_str(&dir),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let files: Vec<String> = std::fs::read_dir(&per_app)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
    let is_failure = |f: &&String| f.starts_with("broken.apk-") && f.ends_with(".error.json");
    assert_eq!(files.iter().filter(is_failure).count(), 1, "{files:?}");
    let pages = files
        .iter()
        .filter(|f| Path::new(f).extension().is_some_and(|e| e == "html"))
        .count();
    assert_eq!(pages, 2);

    // CSV: one long table, the same header once for a batch.
    let csv = stdout(&apkscope(&[
        "scan",
        "--format",
        "csv",
        "-q",
        path_str(&dir),
    ]));
    let header = csv.lines().next().unwrap();
    assert_eq!(csv.lines().filter(|l| *l == header).count(), 1);
    assert!(csv.contains("jpush"));
    let tables = dir.join("csv");
    apkscope(&[
        "scan",
        "--format",
        "csv",
        "--out-dir",
        path_str(&tables),
        path_str(&demo),
    ]);
    let names: BTreeSet<String> = std::fs::read_dir(&tables)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().any(|n| n.ends_with(".sdks.csv")), "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with(".permissions.csv")),
        "{names:?}"
    );

    // Text: each app in turn, failures noted inline.
    let text = stdout(&apkscope(&["scan", "-q", path_str(&dir)]));
    assert!(
        text.matches("com.example.apkscope.demo").count() >= 2,
        "{text}"
    );
    assert!(text.contains("broken.apk  FAILED (not_apk)"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_closed_pipe_ends_a_batch_quietly() {
    let dir = batch_dir("pipe");
    for i in 0..8 {
        std::fs::copy(demo_apk(), dir.join(format!("copy{i}.apk"))).unwrap();
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args([
            "scan",
            "--format",
            "jsonl",
            "-q",
            "--jobs",
            "1",
            path_str(&dir),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then hang up.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 1];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    drop(stdout);
    let output = child.wait_with_output().unwrap();
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A folder of several copies of the demo app and a broken file, sorted so that the broken
/// file (which fails at once) is neither first nor last.
fn ordered_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-order-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..6 {
        std::fs::copy(demo_apk(), dir.join(format!("app{i}.apk"))).unwrap();
    }
    std::fs::write(dir.join("app3-broken.apk"), b"not a zip").unwrap();
    dir
}

/// Every format of a batch is the same bytes whatever `--jobs` and from one run to the next:
/// records follow the inputs' order, not the order the apps finish in.
#[test]
fn batch_outputs_are_byte_identical_across_jobs_and_runs() {
    let dir = ordered_dir("formats");
    let run = |format: &str, jobs: &str| {
        let output = apkscope(&[
            "scan",
            "--format",
            format,
            "-q",
            "--as-of",
            "2025-01-01",
            "--jobs",
            jobs,
            path_str(&dir),
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        (output.stdout, output.stderr)
    };
    for format in [
        "json",
        "jsonl",
        "sarif",
        "html",
        "csv",
        "sdk-list",
        "sdk-list-csv",
        "text",
    ] {
        let (one, one_err) = run(format, "1");
        assert!(!one.is_empty(), "{format}");
        for (jobs, round) in [("2", 1), ("2", 2), ("1", 2)] {
            let (other, other_err) = run(format, jobs);
            assert!(
                one == other,
                "{format}: --jobs 1 and --jobs {jobs} (run {round}) differ"
            );
            // The failure lines on stderr come in input order too.
            assert_eq!(one_err, other_err, "{format}");
        }
    }
    // The order is the inputs' (a folder is walked in sorted order).
    let lines = jsonl(&apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "-q",
        "--jobs",
        "2",
        path_str(&dir),
    ]));
    let names: Vec<String> = lines
        .iter()
        .map(|l| {
            let path = Path::new(l["input"]["path"].as_str().unwrap());
            path.file_name().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "app0.apk",
            "app1.apk",
            "app2.apk",
            "app3-broken.apk",
            "app3.apk",
            "app4.apk",
            "app5.apk"
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `sdk-list-csv` of a batch is one table: one header (after one byte-order mark), the app's
/// columns on every row, a row per SDK per app and a row per failed input. `sdk-list` keeps a
/// section per app and lists the failures too.
#[test]
fn a_batch_sdk_list_is_one_table_with_failures() {
    let dir = ordered_dir("sdk-list");
    let output = apkscope(&[
        "scan",
        "--format",
        "sdk-list-csv",
        "--lang",
        "zh",
        "-q",
        path_str(&dir),
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let csv = stdout(&output);
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert_eq!(csv.matches('\u{feff}').count(), 1);
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0].contains("SDK 名称") && lines[0].contains("包名"),
        "{}",
        lines[0]
    );
    assert_eq!(
        csv.matches("SDK 名称").count(),
        1,
        "one header for the batch: {csv}"
    );
    // The demo app has three SDKs: six copies, three rows each, and the failure's row.
    assert_eq!(lines.len(), 1 + 6 * 3 + 1, "{csv}");
    let app0 = dir.join("app0.apk");
    let app0_rows: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with(&format!("{},", app0.display())))
        .collect();
    assert_eq!(app0_rows.len(), 3, "{csv}");
    for row in &app0_rows {
        assert!(
            row.contains(",com.example.apkscope.demo,1.2.0,11cd9d42e19c"),
            "{row}"
        );
    }
    let failure = lines
        .iter()
        .find(|l| l.contains("app3-broken.apk"))
        .unwrap();
    assert!(failure.contains(",not_apk,"), "{failure}");
    assert!(failure.contains("not an APK"), "{failure}");

    let markdown = stdout(&apkscope(&[
        "scan",
        "--format",
        "sdk-list",
        "-q",
        path_str(&dir),
    ]));
    assert_eq!(
        markdown.matches("# Third-party sharing list").count(),
        7,
        "a section per input: {markdown}"
    );
    assert!(
        markdown.contains("app3-broken.apk") && markdown.contains("Not analysed (`not_apk`)"),
        "{markdown}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Paths that name no app fail the run (exit 2, one line on stderr, no report): a CI job
/// pointed at a wrong folder must not pass. A shard that draws none of a non-empty list is
/// fine.
#[test]
fn no_app_found_is_an_input_error_but_an_empty_shard_is_not() {
    let dir = std::env::temp_dir().join(format!("apkscope-noapp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(dir.join("empty/notes.txt"), b"no app here").unwrap();
    let empty = dir.join("empty");
    let list = dir.join("list.txt");
    std::fs::write(&list, "# nothing listed\n\n").unwrap();
    for (args, names) in [
        (
            vec!["scan", "--format", "json", path_str(&empty)],
            path_str(&empty).to_owned(),
        ),
        (
            vec!["scan", "--from-list", path_str(&list)],
            format!("the list {}", list.display()),
        ),
        (
            vec!["baseline", path_str(&empty)],
            path_str(&empty).to_owned(),
        ),
    ] {
        let output = apkscope(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(
            stderr(&output),
            format!("apkscope: no APK found in {names}\n"),
            "{args:?}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    // Several shards of a one-app list: one holds the app, the others none — and pass.
    let demo = demo_apk();
    let mut empty_shards = 0;
    for k in 0..4 {
        let shard = format!("{k}/4");
        let output = apkscope(&[
            "scan",
            "--format",
            "jsonl",
            "--shard",
            &shard,
            path_str(&demo),
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{shard}: {}",
            stderr(&output)
        );
        if output.stdout.is_empty() {
            empty_shards += 1;
            assert!(
                stderr(&output).contains(&format!("shard {shard} holds none of the 1 inputs")),
                "{}",
                stderr(&output)
            );
        }
    }
    assert_eq!(empty_shards, 3);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every CSV the binary writes starts with one UTF-8 byte-order mark, so that a spreadsheet
/// shows the Chinese SDK names: `--format csv` and `sdk-list-csv` (one app and a batch),
/// `summarize --format csv`, and the CSV files of `--out-dir`.
#[test]
fn every_csv_starts_with_a_byte_order_mark() {
    let dir = batch_dir("bom");
    let demo = demo_apk();
    let results = dir.join("results.jsonl");
    let scan = apkscope(&[
        "scan",
        "--format",
        "jsonl",
        "-q",
        "--out",
        path_str(&results),
        path_str(&dir),
    ]);
    assert_eq!(scan.status.code(), Some(2), "{}", stderr(&scan));
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for format in ["csv", "sdk-list-csv"] {
        for input in [&demo, &dir] {
            let output = apkscope(&["scan", "--format", format, "-q", path_str(input)]);
            outputs.push((format!("{format} {}", input.display()), output.stdout));
        }
    }
    let summary = apkscope(&["summarize", "--format", "csv", path_str(&results)]);
    outputs.push(("summarize".into(), summary.stdout));
    for format in ["csv", "sdk-list-csv"] {
        let out = dir.join(format!("out-{format}"));
        apkscope(&[
            "scan",
            "--format",
            format,
            "--out-dir",
            path_str(&out),
            path_str(&demo),
        ]);
        for entry in std::fs::read_dir(&out).unwrap() {
            let path = entry.unwrap().path();
            outputs.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
    }
    assert_eq!(outputs.len(), 4 + 1 + 3);
    for (what, bytes) in outputs {
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'), "{what}: {text:?}");
        assert_eq!(text.matches('\u{feff}').count(), 1, "{what}");
        // The Chinese names are there, as UTF-8 (the SDK lists name the legal entity).
        if what.contains("sdk-list") {
            assert!(
                text.contains("深圳市和讯华谷信息技术有限公司"),
                "{what}: {text}"
            );
        } else if !what.ends_with(".permissions.csv") {
            assert!(text.contains("极光推送"), "{what}: {text}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
