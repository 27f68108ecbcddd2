//! The exit-code table: 3 for usage and configuration errors (nothing ran), 4 for results that
//! could not be written, 2 for inputs that could not be analysed, 1 for findings.

use std::path::Path;
use std::process::Output;

use crate::run::{demo_apk, stderr};
use crate::uploads::{apkscope_guarded, fresh_dir, s};

fn code(output: &Output) -> Option<i32> {
    output.status.code()
}

#[track_caller]
fn assert_exit(args: &[&str], want: i32, says: &str) {
    let output = apkscope_guarded(args, None);
    assert_eq!(code(&output), Some(want), "{args:?}: {}", stderr(&output));
    assert!(
        stderr(&output).contains(says),
        "{args:?} should say {says:?}: {}",
        stderr(&output)
    );
    if want == 3 {
        // One line naming the problem, and no report.
        assert!(output.stdout.is_empty(), "{args:?} wrote a report");
    }
}

#[test]
fn configuration_errors_exit_3() {
    let dir = fresh_dir("config");
    let demo = demo_apk();
    let demo = s(&demo);
    let missing = dir.join("missing");
    let a_file = dir.join("a-file");
    std::fs::write(&a_file, b"x").unwrap();
    let invalid = dir.join("invalid-rules");
    std::fs::create_dir(&invalid).unwrap();
    std::fs::write(invalid.join("bad.toml"), b"[[sdk]\nid = ").unwrap();

    // --rules / --rules-only: missing, not a folder, invalid.
    assert_exit(
        &["scan", "--rules", s(&missing), demo],
        3,
        "cannot load rules",
    );
    assert_exit(&["scan", "--rules-only", s(&a_file), demo], 3, "rules");
    assert_exit(&["scan", "--rules", s(&invalid), demo], 3, "bad.toml");
    assert_exit(&["rules", "list", "--rules", s(&missing)], 3, "rules");
    assert_exit(&["baseline", "--rules", s(&missing), demo], 3, "rules");
    // --baseline: unreadable, not a baseline.
    assert_exit(
        &["scan", "--baseline", s(&missing), demo],
        3,
        "cannot read the baseline",
    );
    assert_exit(
        &["scan", "--baseline", s(&a_file), demo],
        3,
        "not a baseline",
    );
    // --out: in a folder that does not exist, or a folder.
    let nowhere = missing.join("report.json");
    for format in ["json", "jsonl", "html"] {
        assert_exit(
            &["scan", "--format", format, "--out", s(&nowhere), demo],
            3,
            "cannot",
        );
    }
    assert_exit(&["scan", "--out", s(&dir), demo], 3, "cannot create");
    assert_exit(
        &["manifest", "--out", s(&nowhere), demo],
        3,
        "cannot create",
    );
    assert_exit(
        &["baseline", "--out", s(&nowhere), demo],
        3,
        "cannot create",
    );
    // --out-dir where a file is.
    assert_exit(
        &["scan", "--out-dir", s(&a_file), demo],
        3,
        "cannot create the output folder",
    );
    // --cache where a file is.
    assert_exit(&["scan", "--cache", s(&a_file), demo], 3, "cache");
    // --from-list that does not exist.
    assert_exit(
        &["scan", "--from-list", s(&missing)],
        3,
        "cannot open the list",
    );
    // --append without --out, or with another format.
    assert_exit(&["scan", "--format", "jsonl", "--append", demo], 3, "--out");
    let out = dir.join("out.json");
    assert_exit(
        &[
            "scan",
            "--append",
            "--format",
            "json",
            "--out",
            s(&out),
            demo,
        ],
        3,
        "--format jsonl",
    );
    assert!(!out.exists());
    // rules validate / test of a folder that does not exist.
    assert_exit(&["rules", "validate", s(&missing)], 3, "cannot read rules");
    assert_exit(&["rules", "test", s(&missing)], 3, "cannot load rules");
    // … while invalid rules fail the rules (1).
    assert_exit(&["rules", "validate", s(&invalid)], 1, "");
    assert_exit(&["rules", "test", s(&invalid)], 1, "bad.toml");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn inputs_findings_and_unwritten_results_have_their_codes() {
    let dir = fresh_dir("codes");
    let demo = demo_apk();
    let broken = dir.join("broken.apk");
    std::fs::write(&broken, b"not a zip").unwrap();
    // 2: an input could not be analysed; it outranks 1.
    assert_exit(&["scan", s(&broken)], 2, "not an APK");
    assert_exit(
        &["scan", "-q", "--fail-on", "info", s(&demo), s(&broken)],
        2,
        "broken.apk",
    );
    assert_exit(&["manifest", s(&broken)], 2, "broken.apk");
    assert_exit(&["classes", s(&dir.join("missing.apk"))], 2, "missing.apk");
    assert_exit(
        &["summarize", s(&dir.join("missing.jsonl"))],
        2,
        "cannot open",
    );
    // 1: findings over --fail-on.
    assert_exit(&["scan", "--fail-on", "high", s(&demo)], 1, "");
    // 4: the output stream is broken (a full disk), for every kind of writer; it outranks 2.
    if Path::new("/dev/full").exists() {
        for format in ["jsonl", "json", "sarif", "html", "text"] {
            assert_exit(
                &["scan", "--format", format, "--out", "/dev/full", s(&demo)],
                4,
                "cannot write",
            );
        }
        assert_exit(
            &[
                "scan",
                "-q",
                "--format",
                "jsonl",
                "--append",
                "--out",
                "/dev/full",
                s(&demo),
                s(&broken),
            ],
            4,
            "cannot write",
        );
        assert_exit(
            &["manifest", "--out", "/dev/full", s(&demo)],
            4,
            "cannot write",
        );
    } else {
        crate::skip::skip_part("a full disk", "/dev/full is absent");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jobs_over_the_memory_warn_and_go_on() {
    if !Path::new("/proc/meminfo").exists() {
        crate::skip::skip("no /proc/meminfo");
        return;
    }
    let demo = demo_apk();
    // 64 apps of a TiB each fit in no machine.
    let output = apkscope_guarded(
        &["scan", "--jobs", "64", "--max-app-mib", "1048576", s(&demo)],
        None,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let warnings: Vec<&str> = std::str::from_utf8(&output.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.contains("warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("--jobs 64"), "{warnings:?}");
    // Within the memory: no warning.
    let quiet = apkscope_guarded(&["scan", "--jobs", "1", s(&demo)], None);
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));
}

/// Each error is said once: one line on stderr, and no part of it repeated (an error whose
/// message already names its cause, printed with that cause again, says it twice).
#[test]
fn each_error_is_said_once() {
    let dir = fresh_dir("said-once");
    let demo = demo_apk();
    let broken = dir.join("broken.apk");
    std::fs::write(&broken, b"not a zip").unwrap();
    let missing = dir.join("missing.apk");
    let a_file = dir.join("a-file");
    std::fs::write(&a_file, b"x").unwrap();
    let no_dir = dir.join("no-such-folder");
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let runs: Vec<Vec<&str>> = vec![
        vec!["manifest", s(&broken)],
        vec!["classes", s(&broken)],
        vec!["classes", s(&missing)],
        vec!["manifest", s(&missing)],
        vec!["scan", s(&broken)],
        vec!["scan", s(&missing)],
        vec!["rules", "validate", s(&no_dir)],
        vec!["rules", "test", s(&no_dir)],
        vec!["rules", "list", "--rules", s(&no_dir)],
        vec!["scan", "--rules", s(&no_dir), s(&demo)],
        vec!["scan", "--from-list", s(&missing)],
        vec!["scan", "--baseline", s(&missing), s(&demo)],
        vec!["scan", "--out-dir", s(&a_file), s(&demo)],
        vec!["summarize", s(&missing)],
        vec!["scan", s(&empty)],
    ];
    for args in &runs {
        let output = apkscope_guarded(args, None);
        assert_ne!(code(&output), Some(0), "{args:?}");
        let err = stderr(&output);
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "{args:?}: {err}");
        let parts: Vec<&str> = lines[0].split(": ").collect();
        for (i, part) in parts.iter().enumerate() {
            assert!(
                !parts[i + 1..].contains(part),
                "{args:?} says {part:?} twice: {err}"
            );
        }
    }
    #[cfg(unix)]
    {
        // A device where an app was expected, and a FIFO among rule files.
        let output = apkscope_guarded(&["manifest", "/dev/null"], None);
        assert_eq!(
            stderr(&output),
            "apkscope: /dev/null: not a regular file but a character device\n"
        );
        let rules = dir.join("rules");
        std::fs::create_dir(&rules).unwrap();
        let fifo = std::process::Command::new("mkfifo")
            .arg(rules.join("f.toml"))
            .status();
        if fifo.is_ok_and(|s| s.success()) {
            let output = apkscope_guarded(&["rules", "validate", s(&rules)], None);
            assert_eq!(code(&output), Some(3));
            assert_eq!(
                stderr(&output).matches("FIFO").count(),
                1,
                "{}",
                stderr(&output)
            );
        } else {
            crate::skip::skip_part("a FIFO among rule files", "mkfifo failed");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
