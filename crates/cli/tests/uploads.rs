//! Hostile upload folders end to end: special files and links among the inputs, `--out-dir`
//! names that cannot collide or be redirected, whole JSON Lines and `--append`, and a result
//! cache shared with strangers.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use apkscope_testkit::schema::{validate_failure, validate_report};
use serde_json::Value;

use crate::run::{demo_apk, stderr};

/// Longer than any of these runs may take: a run still going then is hung (blocked on a FIFO,
/// walking a link loop) and is killed, failing the test. A hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(60);

/// Runs the binary with `stdin` as its standard input, killing it (and failing) if it hangs.
pub(crate) fn apkscope_guarded(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let drain = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            bytes
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + HANG_GUARD;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("apkscope {args:?} hung: killed after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

pub(crate) fn fresh_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-up-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Each JSON line, checked against the schemas.
fn lines(bytes: &[u8]) -> Vec<Value> {
    let text = std::str::from_utf8(bytes).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "torn last line");
    text.lines()
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

/// File name of each record's input -> its failure kind (`report` when it was analysed);
/// fails on a name seen twice.
fn kinds_by_name(records: &[Value]) -> BTreeMap<String, String> {
    let mut kinds = BTreeMap::new();
    for record in records {
        let path = record["input"]["path"].as_str().unwrap();
        let name = Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let kind = record["error"]["kind"].as_str().unwrap_or("report");
        let previous = kinds.insert(name, kind.to_owned());
        assert!(previous.is_none(), "{path} has two records");
    }
    kinds
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[cfg(unix)]
#[test]
fn a_hostile_folder_gives_one_record_per_input_and_never_blocks() {
    use std::os::unix::fs::symlink;
    let dir = fresh_dir("folder");
    let apps = dir.join("apps");
    std::fs::create_dir(&apps).unwrap();
    std::fs::copy(demo_apk(), apps.join("good.apk")).unwrap();
    std::fs::copy(demo_apk(), apps.join(".apk")).unwrap();
    std::fs::write(apps.join("broken.apk"), b"not a zip").unwrap();
    std::fs::write(apps.join("notes.txt"), b"skip me").unwrap();
    mkfifo(&apps.join("x.apk"));
    // A device behind a link: reading it would never end.
    symlink("/dev/zero", apps.join("dev.apk")).unwrap();
    // Links to folders: walking them loops or fans out over the parent.
    symlink(".", apps.join("loop.apk")).unwrap();
    symlink("..", apps.join("up.apk")).unwrap();

    let output = apkscope_guarded(&["scan", "--format", "jsonl", "-q", s(&apps)], None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let records = lines(&output.stdout);
    assert_eq!(
        kinds_by_name(&records),
        map(&[
            (".apk", "report"),
            ("broken.apk", "not_apk"),
            ("dev.apk", "not_a_file"),
            ("good.apk", "report"),
            ("loop.apk", "not_a_file"),
            ("up.apk", "not_a_file"),
            ("x.apk", "not_a_file"),
        ])
    );
    let fifo = records
        .iter()
        .find(|r| r["input"]["path"].as_str().unwrap().ends_with("x.apk"))
        .unwrap();
    assert!(
        fifo["error"]["message"].as_str().unwrap().contains("FIFO"),
        "{fifo}"
    );
    assert!(stderr(&output).contains("x.apk"), "{}", stderr(&output));

    // Named on the command line, in a list file and in a list on standard input: the same
    // records, and nothing blocks.
    let special = [apps.join("x.apk"), apps.join("dev.apk")];
    let want = map(&[("dev.apk", "not_a_file"), ("x.apk", "not_a_file")]);
    let named = apkscope_guarded(
        &["scan", "--format", "jsonl", s(&special[0]), s(&special[1])],
        None,
    );
    assert_eq!(named.status.code(), Some(2), "{}", stderr(&named));
    assert_eq!(kinds_by_name(&lines(&named.stdout)), want);
    let list_text = format!("{}\n{}\n", special[0].display(), special[1].display());
    let list = dir.join("list.txt");
    std::fs::write(&list, &list_text).unwrap();
    let listed = apkscope_guarded(
        &["scan", "--format", "jsonl", "-q", "--from-list", s(&list)],
        None,
    );
    assert_eq!(listed.status.code(), Some(2), "{}", stderr(&listed));
    assert_eq!(kinds_by_name(&lines(&listed.stdout)), want);
    let piped = apkscope_guarded(
        &["scan", "--format", "jsonl", "-q", "--from-list", "-"],
        Some(&list_text),
    );
    assert_eq!(piped.status.code(), Some(2), "{}", stderr(&piped));
    assert_eq!(kinds_by_name(&lines(&piped.stdout)), want);

    // One app alone, as text: one line on stderr, exit 2.
    let alone = apkscope_guarded(&["scan", s(&special[0])], None);
    assert_eq!(alone.status.code(), Some(2));
    assert!(
        stderr(&alone).contains("not a regular file"),
        "{}",
        stderr(&alone)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_app_over_the_memory_budget_is_an_over_budget_record() {
    let dir = fresh_dir("budget");
    let big = dir.join("big.apk");
    std::fs::write(&big, vec![0u8; 3 << 20]).unwrap();
    let output = apkscope_guarded(
        &["scan", "--format", "jsonl", "--max-app-mib", "2", s(&big)],
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert_eq!(
        kinds_by_name(&lines(&output.stdout)),
        map(&[("big.apk", "over_budget")])
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every file of `dir`, name -> parsed JSON.
fn json_files(dir: &Path) -> BTreeMap<String, Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(e.file_type().unwrap().is_file(), "{name} is not a file");
            let value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
            (name, value)
        })
        .collect()
}

#[test]
fn out_dir_names_never_collide() {
    let dir = fresh_dir("names");
    for sub in ["e", "f", "c1", "c2"] {
        std::fs::create_dir(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("e/bad.apk"), b"not a zip").unwrap();
    std::fs::write(dir.join("f/bad.apk"), b"not a zip either").unwrap();
    for copy in ["x.apk", "x.dex", "c1/same.apk", "c2/same.apk"] {
        std::fs::copy(demo_apk(), dir.join(copy)).unwrap();
    }
    let long_a = format!("{}-1.apk", "a".repeat(120));
    let long_b = format!("{}-2.apk", "a".repeat(120));
    std::fs::copy(demo_apk(), dir.join(&long_a)).unwrap();
    std::fs::copy(demo_apk(), dir.join(&long_b)).unwrap();
    let inputs: Vec<PathBuf> = [
        "e/bad.apk",
        "f/bad.apk",
        "x.apk",
        "x.dex",
        "c1/same.apk",
        "c2/same.apk",
        &long_a,
        &long_b,
        // The same path twice: two records, two files.
        "x.apk",
    ]
    .iter()
    .map(|p| dir.join(p))
    .collect();
    let out = dir.join("out");
    let mut args = vec!["scan", "--format", "json", "-q", "--out-dir", s(&out)];
    args.extend(inputs.iter().map(|p| s(p)));
    let output = apkscope_guarded(&args, None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let files = json_files(&out);
    assert_eq!(files.len(), inputs.len(), "{:?}", files.keys());
    let mut written: Vec<String> = files
        .values()
        .map(|v| v["input"]["path"].as_str().unwrap().to_owned())
        .collect();
    written.sort();
    let mut given: Vec<String> = inputs.iter().map(|p| s(p).to_owned()).collect();
    given.sort();
    assert_eq!(written, given);
    // Readable: each name starts with the input's whole file name.
    for (name, value) in &files {
        let path = value["input"]["path"].as_str().unwrap();
        let file_name = Path::new(path).file_name().unwrap().to_str().unwrap();
        let start = &file_name[..file_name.len().min(90)];
        assert!(name.starts_with(start), "{name} for {path}");
        let ext = if value.get("error").is_some() {
            ".error.json"
        } else {
            ".json"
        };
        assert!(name.ends_with(ext), "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Entries of `dir` (names only).
#[cfg(unix)]
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[cfg(unix)]
#[test]
fn out_dir_writes_replace_planted_links_and_survive_an_unwritable_target() {
    let dir = fresh_dir("planted");
    let apps = dir.join("apps");
    std::fs::create_dir(&apps).unwrap();
    for name in ["a.apk", "b.apk", "..apk", "...apk"] {
        std::fs::copy(demo_apk(), apps.join(name)).unwrap();
    }
    std::fs::write(apps.join("c.apk"), b"not a zip").unwrap();
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    let out = dir.join("out");
    let args = [
        "scan",
        "--format",
        "json",
        "-q",
        "--out-dir",
        s(&out),
        s(&apps),
    ];
    let first = apkscope_guarded(&args, None);
    assert_eq!(first.status.code(), Some(2), "{}", stderr(&first));
    let names = entries(&out);
    assert_eq!(names.len(), 5, "{names:?}");
    let find = |start: &str| {
        names
            .iter()
            .find(|n| n.starts_with(start))
            .unwrap_or_else(|| panic!("no {start}* in {names:?}"))
            .clone()
    };
    let (a, b, c) = (find("a.apk-"), find("b.apk-"), find("c.apk-"));
    assert!(c.ends_with(".error.json"), "{c}");
    // Nothing starts with a dot (no hidden files, no `..`), whatever the input's name.
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    // Plant a link to a file outside the folder at a's name, and a folder at b's.
    std::fs::remove_file(out.join(&a)).unwrap();
    std::os::unix::fs::symlink(&victim, out.join(&a)).unwrap();
    std::fs::remove_file(out.join(&b)).unwrap();
    std::fs::create_dir(out.join(&b)).unwrap();
    std::fs::write(out.join(&b).join("inside"), b"").unwrap();
    std::fs::remove_file(out.join(&c)).unwrap();
    let outside_before = entries(&dir);

    let second = apkscope_guarded(&args, None);
    // One result could not be written: exit 4, over the failed input's 2; the rest written.
    assert_eq!(second.status.code(), Some(4), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("cannot write the result of") && stderr(&second).contains(&b),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    let a_meta = out.join(&a).symlink_metadata().unwrap();
    assert!(a_meta.is_file(), "the planted link was followed");
    let report: Value = serde_json::from_slice(&std::fs::read(out.join(&a)).unwrap()).unwrap();
    validate_report(&report).unwrap();
    assert!(
        out.join(&c).is_file(),
        "the batch stopped at the unwritable target"
    );
    assert_eq!(entries(&out), names, "temporary files left behind");
    assert_eq!(entries(&dir), outside_before, "written outside --out-dir");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn jsonl_lines_are_whole_and_append_repairs_a_torn_tail() {
    let dir = fresh_dir("append");
    let apps = dir.join("apps");
    std::fs::create_dir(&apps).unwrap();
    std::fs::copy(demo_apk(), apps.join("a.apk")).unwrap();
    std::fs::write(apps.join("broken.apk"), b"not a zip").unwrap();
    let results = dir.join("results.jsonl");
    let first = apkscope_guarded(
        &[
            "scan",
            "--format",
            "jsonl",
            "-q",
            "--out",
            s(&results),
            s(&apps),
        ],
        None,
    );
    assert_eq!(first.status.code(), Some(2), "{}", stderr(&first));
    assert_eq!(lines(&std::fs::read(&results).unwrap()).len(), 2);

    // A run killed mid-record leaves a torn tail.
    let torn = b"{\"schema_version\": \"0.1\", \"inp";
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&results)
        .unwrap();
    file.write_all(torn).unwrap();
    drop(file);
    let demo = demo_apk();
    let appended = apkscope_guarded(
        &[
            "scan",
            "--format",
            "jsonl",
            "--append",
            "--out",
            s(&results),
            s(&demo),
        ],
        None,
    );
    assert_eq!(appended.status.code(), Some(0), "{}", stderr(&appended));
    assert!(
        stderr(&appended).contains(&format!("dropped the last {} bytes", torn.len())),
        "{}",
        stderr(&appended)
    );
    let records = lines(&std::fs::read(&results).unwrap());
    assert_eq!(records.len(), 3);
    assert!(
        records[2]["input"]["path"]
            .as_str()
            .unwrap()
            .ends_with("demo.apk")
    );
    // A whole file is left alone; a new file is created.
    let again = apkscope_guarded(
        &[
            "scan",
            "--format",
            "jsonl",
            "--append",
            "--out",
            s(&results),
            s(&demo),
        ],
        None,
    );
    assert!(!stderr(&again).contains("dropped"), "{}", stderr(&again));
    assert_eq!(lines(&std::fs::read(&results).unwrap()).len(), 4);
    let fresh = dir.join("new.jsonl");
    let created = apkscope_guarded(
        &[
            "scan",
            "--format",
            "jsonl",
            "--append",
            "--out",
            s(&fresh),
            s(&demo),
        ],
        None,
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert_eq!(lines(&std::fs::read(&fresh).unwrap()).len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The cache entries (not temporary files) under `cache`.
#[cfg(unix)]
fn cache_entries(cache: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for fan in std::fs::read_dir(cache).unwrap() {
        let fan = fan.unwrap().path();
        if fan.file_name().unwrap() == "tmp" || !fan.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&fan).unwrap() {
            found.push(entry.unwrap().path());
        }
    }
    found
}

#[cfg(unix)]
#[test]
fn the_cache_sweeps_stale_temporary_files_and_misses_special_entries() {
    let dir = fresh_dir("cache");
    let cache = dir.join("cache");
    let demo = demo_apk();
    // One job: the first of the two copies is scanned before the second looks in the cache.
    let args = [
        "scan",
        "--format",
        "jsonl",
        "--no-code",
        "--jobs",
        "1",
        "--cache",
        s(&cache),
        s(&demo),
        s(&demo),
    ];
    let first = apkscope_guarded(&args, None);
    assert!(first.status.success(), "{}", stderr(&first));
    let entry = {
        let found = cache_entries(&cache);
        assert_eq!(found.len(), 1, "{found:?}");
        found.into_iter().next().unwrap()
    };

    // A killed run's temporary file (an hour old) and one another process is writing now.
    let tmp = cache.join("tmp");
    let stale = tmp.join(".apkscope-999999-1.tmp");
    let fresh = tmp.join(".apkscope-999999-2.tmp");
    std::fs::write(&stale, b"{\"torn").unwrap();
    std::fs::write(&fresh, b"{\"being written").unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    // The entry replaced by a FIFO: reading it would block forever.
    std::fs::remove_file(&entry).unwrap();
    mkfifo(&entry);

    // A miss for the first copy; its new entry serves the second.
    let second = apkscope_guarded(&args, None);
    assert!(second.status.success(), "{}", stderr(&second));
    assert!(
        stderr(&second).contains("(1 from the cache)"),
        "{}",
        stderr(&second)
    );
    assert!(!stale.exists(), "the stale temporary file was kept");
    assert!(fresh.exists(), "a fresh temporary file was swept");
    // The scan's new entry replaced the FIFO.
    assert!(entry.symlink_metadata().unwrap().is_file());
    let third = apkscope_guarded(&args, None);
    assert!(
        stderr(&third).contains("(2 from the cache)"),
        "{}",
        stderr(&third)
    );

    // A link to a device is a miss too, not an endless read.
    std::fs::remove_file(&entry).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &entry).unwrap();
    let fourth = apkscope_guarded(&args, None);
    assert!(fourth.status.success(), "{}", stderr(&fourth));
    assert!(
        stderr(&fourth).contains("(1 from the cache)"),
        "{}",
        stderr(&fourth)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// A failure record names the content that failed whenever the file was read: its SHA-256 and
/// size, whatever the reason (not an APK, a timeout, …) and with or without a cache; a file
/// that could not be read has neither.
#[test]
fn failure_records_carry_the_hash_of_what_was_read() {
    let dir = fresh_dir("failure-hash");
    let broken = dir.join("broken.apk");
    std::fs::write(&broken, b"not a zip").unwrap();
    let missing = dir.join("missing.apk");
    let demo = demo_apk();
    let demo_bytes = std::fs::read(&demo).unwrap();
    let cache = dir.join("cache");
    for cached in [false, true] {
        let mut args = vec!["scan", "--format", "jsonl", "-q"];
        if cached {
            args.extend(["--cache", s(&cache)]);
        }
        args.extend([s(&broken), s(&missing)]);
        let output = apkscope_guarded(&args, None);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let records = lines(&output.stdout);
        assert_eq!(records[0]["error"]["kind"], "not_apk");
        assert_eq!(records[0]["input"]["sha256"], sha256_hex(b"not a zip"));
        assert_eq!(records[0]["input"]["size"], 9);
        assert_eq!(records[1]["error"]["kind"], "io");
        assert!(records[1]["input"]["sha256"].is_null(), "{}", records[1]);
        assert!(records[1]["input"]["size"].is_null(), "{}", records[1]);

        // A failure after the scan began: the time limit.
        let mut args = vec!["scan", "--format", "jsonl", "--timeout-per-app", "0"];
        if cached {
            args.extend(["--cache", s(&cache)]);
        }
        args.push(s(&demo));
        let output = apkscope_guarded(&args, None);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        let records = lines(&output.stdout);
        assert_eq!(records[0]["error"]["kind"], "timeout");
        assert_eq!(records[0]["input"]["sha256"], sha256_hex(&demo_bytes));
        assert_eq!(records[0]["input"]["size"], demo_bytes.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--out-dir` failure records are named after the content too when it was read, so two
/// uploads named alike that both fail keep their own records and say which content failed.
#[test]
fn out_dir_failure_names_carry_the_content_hash() {
    let dir = fresh_dir("failure-names");
    for (sub, content) in [("u1", &b"first upload"[..]), ("u2", b"second upload")] {
        std::fs::create_dir(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("base.apk"), content).unwrap();
    }
    let inputs = [
        dir.join("u1/base.apk"),
        dir.join("u2/base.apk"),
        dir.join("u3/base.apk"),
    ];
    let out = dir.join("out");
    let mut args = vec!["scan", "--format", "json", "-q", "--out-dir", s(&out)];
    args.extend(inputs.iter().map(|p| s(p)));
    let output = apkscope_guarded(&args, None);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let files = json_files(&out);
    assert_eq!(files.len(), 3, "{:?}", files.keys());
    let path_hash = |p: &Path| sha256_hex(s(p).as_bytes())[..12].to_owned();
    for (input, content) in [
        (&inputs[0], Some(&b"first upload"[..])),
        (&inputs[1], Some(b"second upload")),
        (&inputs[2], None),
    ] {
        let name = match content {
            Some(bytes) => format!(
                "base.apk-{}-{}.error.json",
                path_hash(input),
                &sha256_hex(bytes)[..12]
            ),
            // Never read: no content hash to name it by.
            None => format!("base.apk-{}.error.json", path_hash(input)),
        };
        let record = files
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} in {:?}", files.keys()));
        validate_failure(record).unwrap();
        assert_eq!(record["input"]["path"], s(input));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
