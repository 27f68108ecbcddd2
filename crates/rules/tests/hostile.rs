//! Hostile rule folders (a service may load third-party ones): thousands of entries sharing an
//! id, prefixes listed thousands of times, values on one huge line, floods of broken entries,
//! oversized files and folders, FIFOs named `*.toml`. Each must cost linear time and bounded
//! memory, never block, and still report the right diagnostics at the right places: positions
//! are compared with a naive computation over the generated text. No test here is timed; the
//! figures are in `benches/rules_validate.sh`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use apkscope_rules::{
    Diagnostic, Error, MAX_DIAGNOSTICS, MAX_PACK_BYTES, MAX_RULE_FILE_BYTES, MAX_SNIPPET_BYTES,
    Pack, codes,
};

/// The name the generated files carry.
const FILE: &str = "hostile.toml";

/// 1-based line and character column of byte `off`, rescanning the text: what each diagnostic
/// used to compute, and what the index must still give.
fn naive_position(text: &str, off: usize) -> (u32, u32) {
    let before = &text[..off];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..off].chars().count() + 1;
    (u32::try_from(line).unwrap(), u32::try_from(column).unwrap())
}

/// Where an `[[sdk]]` entry written by [`Gen::sdk`] is.
struct Written {
    /// The `[[sdk]]` header.
    entry: usize,
    /// The id's value (its opening quote).
    id: usize,
    /// Each class prefix's value (its opening quote).
    prefixes: Vec<usize>,
}

/// A rule file generator that remembers where it wrote each value.
#[derive(Default)]
struct Gen {
    text: String,
}

impl Gen {
    /// Appends an `[[sdk]]` entry; `one_line` writes its prefixes on one line.
    fn sdk(&mut self, id: &str, prefixes: &[&str], one_line: bool) -> Written {
        let t = &mut self.text;
        let entry = t.len();
        t.push_str("[[sdk]]\nid = ");
        let id_at = t.len();
        let _ = write!(
            t,
            "\"{id}\"\nname = \"N {id}\"\ncategory = \"ads\"\npurpose = \"p\"\n"
        );
        t.push_str(if one_line {
            "class_prefixes = ["
        } else {
            "class_prefixes = [\n"
        });
        let mut at = Vec::with_capacity(prefixes.len());
        for p in prefixes {
            if !one_line {
                t.push_str("    ");
            }
            at.push(t.len());
            let _ = write!(t, "\"{p}\",");
            t.push(if one_line { ' ' } else { '\n' });
        }
        t.push_str("]\nreferences = [\"r\"]\nvendor = \"V\"\n\n");
        Written {
            entry,
            id: id_at,
            prefixes: at,
        }
    }
}

/// Load and validation diagnostics of one file.
fn check(text: &str) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    let (pack, load) = Pack::load(&[(FILE, text)]);
    let validation = pack.validate();
    (load, validation)
}

/// Asserts that `d` sits at byte `off` of `text` (line and column as a rescan gives them).
fn assert_at(d: &Diagnostic, text: &str, off: usize) {
    assert_eq!(d.file, FILE);
    assert_eq!((d.line, d.column), naive_position(text, off), "{d}");
}

/// Asserts that the diagnostics end with the counts of those left out.
fn assert_left_out(diags: &[Diagnostic], errors: usize, warnings: usize) {
    let mut want = Vec::new();
    if errors > 0 {
        want.push((
            codes::MORE_ERRORS,
            format!(
                "{errors} more error(s) not shown: only the first {MAX_DIAGNOSTICS} diagnostics \
                 are listed"
            ),
        ));
    }
    if warnings > 0 {
        want.push((
            codes::MORE_WARNINGS,
            format!(
                "{warnings} more warning(s) not shown: only the first {MAX_DIAGNOSTICS} \
                 diagnostics are listed"
            ),
        ));
    }
    let got: Vec<(&str, String)> = diags
        .iter()
        .skip(MAX_DIAGNOSTICS)
        .map(|d| (d.code, d.message.clone()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(diags.len(), MAX_DIAGNOSTICS + want.len());
}

#[test]
fn twenty_thousand_entries_share_one_id() {
    const N: usize = 20_000;
    let mut g = Gen::default();
    let written: Vec<Written> = (0..N)
        .map(|i| g.sdk("dup-sdk", &[&format!("com.dupid.s{i}.")], false))
        .collect();
    let (pack, load) = Pack::load(&[(FILE, g.text.as_str())]);
    assert!(load.is_empty(), "{load:?}");
    let diags = pack.validate();
    let (l, c) = naive_position(&g.text, written[0].entry);
    let first = format!("duplicate id `dup-sdk`: first defined at {FILE}:{l}:{c}");
    // Every repeat is an error; the first MAX_DIAGNOSTICS of them are listed, in order. Each
    // entry takes 11 lines; the rescan checks a sample (it is the slow way).
    for (i, (d, w)) in diags
        .iter()
        .zip(&written[1..])
        .take(MAX_DIAGNOSTICS)
        .enumerate()
    {
        assert_eq!((d.code, d.field.as_str()), (codes::DUPLICATE_ID, "sdk.id"));
        assert_eq!(d.message, first);
        assert_eq!((d.line, d.column), (u32::try_from(11 * i + 13).unwrap(), 6));
        if i % 97 == 0 || i + 1 == MAX_DIAGNOSTICS {
            assert_at(d, &g.text, w.id);
        }
        assert_eq!(d.snippet, "id = \"dup-sdk\"");
        assert_eq!(d.width, 9);
    }
    assert_left_out(&diags, N - 1 - MAX_DIAGNOSTICS, 0);
    // Errors left out still fail the pack.
    assert!(matches!(pack.compile(), Err(Error::Invalid { .. })));
}

#[test]
fn a_prefix_listed_and_claimed_thousands_of_times() {
    const N: usize = 20_000;
    const CLAIMANTS: usize = 2_000;
    let mut g = Gen::default();
    let one = g.sdk("one-list", &vec!["com.dupprefix.same."; N], false);
    for i in 0..CLAIMANTS {
        let nested = format!("com.dupprefix.shared.s{i}.");
        g.sdk(
            &format!("claim-{i}"),
            &["com.dupprefix.shared.", &nested],
            false,
        );
    }
    let (load, diags) = check(&g.text);
    assert!(load.is_empty(), "{load:?}");
    // The repeats within one list come first in the file: they fill the list.
    for (i, d) in diags.iter().take(MAX_DIAGNOSTICS).enumerate() {
        assert_eq!(d.code, codes::DUPLICATE_VALUE);
        assert_eq!(d.field, format!("sdk.class_prefixes[{}]", i + 1));
        assert_eq!(
            d.message,
            "`com.dupprefix.same.` is listed twice in `class_prefixes`"
        );
        assert_at(d, &g.text, one.prefixes[i + 1]);
    }
    assert_left_out(&diags, CLAIMANTS - 1, N - 1 - MAX_DIAGNOSTICS);
}

/// The same shapes under the limit: every diagnostic is listed, each at the right place.
#[test]
fn small_duplicates_are_all_listed_at_their_places() {
    let mut g = Gen::default();
    g.text
        .push_str("# 极光 — a comment with multi-byte characters\r\n");
    let one = g.sdk(
        "one-list",
        &["com.a.b.", "com.a.c.", "com.a.b.", "com.a.b."],
        true,
    );
    let claimants: Vec<Written> = (0..30)
        .map(|i| {
            let nested = format!("com.dupprefix.shared.s{i}.");
            g.sdk(
                &format!("claim-{i}"),
                &["com.dupprefix.shared.", &nested],
                i % 2 == 0,
            )
        })
        .collect();
    let dup = g.sdk("claim-3", &["com.other.x."], false);
    let (load, diags) = check(&g.text);
    assert!(load.is_empty(), "{load:?}");
    let mut want: Vec<(&str, String, usize, String)> = vec![
        (
            codes::DUPLICATE_VALUE,
            "sdk.class_prefixes[2]".into(),
            one.prefixes[2],
            "`com.a.b.` is listed twice in `class_prefixes`".into(),
        ),
        (
            codes::DUPLICATE_VALUE,
            "sdk.class_prefixes[3]".into(),
            one.prefixes[3],
            "`com.a.b.` is listed twice in `class_prefixes`".into(),
        ),
    ];
    let (l, c) = naive_position(&g.text, claimants[0].prefixes[0]);
    for (i, w) in claimants.iter().enumerate().skip(1) {
        want.push((
            codes::CLAIMED_TWICE,
            "sdk.class_prefixes[0]".into(),
            w.prefixes[0],
            format!(
                "class prefix `com.dupprefix.shared.` of SDK `claim-{i}` is already claimed by \
                 SDK `claim-0` ({FILE}:{l}:{c} class_prefixes[0])"
            ),
        ));
    }
    let (l, c) = naive_position(&g.text, claimants[3].entry);
    want.push((
        codes::DUPLICATE_ID,
        "sdk.id".into(),
        dup.id,
        format!("duplicate id `claim-3`: first defined at {FILE}:{l}:{c}"),
    ));
    assert_eq!(diags.len(), want.len(), "{diags:#?}");
    for (d, (code, field, off, message)) in diags.iter().zip(&want) {
        assert_eq!((d.code, &d.field, &d.message), (*code, field, message));
        assert_at(d, &g.text, *off);
    }
}

#[test]
fn values_on_one_huge_line() {
    const N: usize = 5_000;
    let mut g = Gen::default();
    let w = g.sdk("long-line", &vec!["com.longline.same."; N], true);
    let (load, diags) = check(&g.text);
    assert!(load.is_empty(), "{load:?}");
    for (i, d) in diags.iter().take(MAX_DIAGNOSTICS).enumerate() {
        assert_eq!(d.field, format!("sdk.class_prefixes[{}]", i + 1));
        assert_at(d, &g.text, w.prefixes[i + 1]);
        // The line is not copied into each diagnostic.
        assert!(d.snippet.is_empty());
        assert_eq!(d.width, 20);
    }
    assert!(g.text.lines().nth(5).unwrap().len() > MAX_SNIPPET_BYTES);
    assert_left_out(&diags, 0, N - 1 - MAX_DIAGNOSTICS);
}

#[test]
fn ids_quoted_about_other_values_are_abbreviated() {
    let long_a = "a".repeat(100_000);
    let long_b = "b".repeat(100_000);
    let prefixes: Vec<String> = (0..500).map(|i| format!("com.shared.p{i}.")).collect();
    let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
    let mut g = Gen::default();
    g.sdk(&long_a, &prefixes, false);
    g.sdk(&long_b, &prefixes, false);
    let (load, diags) = check(&g.text);
    assert!(load.is_empty(), "{load:?}");
    assert_eq!(diags.len(), 500);
    for d in &diags {
        assert_eq!(d.code, codes::CLAIMED_TWICE);
        assert!(d.message.len() < 400, "{}", d.message.len());
        assert!(d.message.contains(&format!("SDK `{}…`", &long_b[..128])));
    }
}

#[test]
fn a_flood_of_broken_entries_is_listed_in_part() {
    const N: usize = 20_000;
    let text = "[[sdk]]\nid = \"x\"\n".repeat(N);
    let (pack, load) = Pack::load(&[(FILE, text.as_str())]);
    assert!(pack.sdks().is_empty());
    for (i, d) in load.iter().take(MAX_DIAGNOSTICS).enumerate() {
        assert_eq!(d.code, codes::MISSING_FIELD);
        assert_eq!((d.line, d.column), (u32::try_from(2 * i + 1).unwrap(), 1));
    }
    assert_left_out(&load, N - MAX_DIAGNOSTICS, 0);
    // The strict loader reports the first.
    let err = Pack::from_sources(&[(FILE, text.as_str())]).unwrap_err();
    assert!(
        matches!(&err, Error::Schema { location, code, .. }
            if *code == codes::MISSING_FIELD && location.line == 1),
        "{err}"
    );
}

#[test]
fn a_syntax_error_on_a_crlf_line_ending() {
    // The error points at the `\n` after a `\r`, past the line's end without it: this used to
    // panic.
    let text = "[[sdk]]\r\nid = \"x\r\n";
    let (_, load) = Pack::load(&[(FILE, text)]);
    assert_eq!(load.len(), 1, "{load:?}");
    assert_eq!(load[0].code, codes::SYNTAX);
    assert_eq!(load[0].snippet, "id = \"x");
    assert_eq!((load[0].line, load[0].column), naive_position(text, 17));
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "apkscope-rules-hostile-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A file of `size` bytes that takes no room (a sparse file of zeros).
fn sparse(path: &Path, size: u64) {
    std::fs::File::create(path).unwrap().set_len(size).unwrap();
}

#[test]
fn an_oversized_text_is_not_parsed() {
    let limit = usize::try_from(MAX_RULE_FILE_BYTES).unwrap();
    let line = format!("# {}\n", "x".repeat(97));
    let mut text = line.repeat(limit / line.len() + 1);
    text.truncate(limit + 1);
    let (pack, load) = Pack::load(&[("big.toml", text.as_str()), ("ok.toml", "")]);
    assert_eq!(
        pack.sources().map(|(n, _)| n).collect::<Vec<_>>(),
        ["ok.toml"]
    );
    assert_eq!(load.len(), 1, "{load:?}");
    let d = &load[0];
    assert_eq!(
        (d.code, d.file.as_str(), d.line),
        (codes::TOO_LARGE, "big.toml", 0)
    );
    assert_eq!(
        d.message,
        format!(
            "rule file of {} bytes is larger than the limit of {MAX_RULE_FILE_BYTES} bytes",
            limit + 1
        )
    );
    let err = Pack::from_sources(&[("big.toml", text.as_str())]).unwrap_err();
    assert!(
        matches!(&err, Error::Schema { code, .. } if *code == codes::TOO_LARGE),
        "{err}"
    );
    // At the limit, it loads.
    text.truncate(limit);
    let (_, load) = Pack::load(&[("big.toml", text.as_str())]);
    assert!(load.iter().all(|d| d.code != codes::TOO_LARGE));
}

#[test]
fn an_oversized_file_is_not_read() {
    let dir = scratch("big");
    std::fs::write(dir.join("a.toml"), "").unwrap();
    let big = dir.join("b.toml");
    // 100 MB: refused from its size, before anything is read.
    sparse(&big, 100_000_000);
    for err in [
        Pack::read_dir(&dir).unwrap_err(),
        Pack::from_dir(&dir).unwrap_err(),
    ] {
        let Error::SizeLimit {
            path,
            what,
            size,
            limit,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(
            (path, *what, *size, *limit),
            (&big, "rule file", 100_000_000, MAX_RULE_FILE_BYTES)
        );
        assert_eq!(
            err.to_string(),
            format!(
                "{}: rule file of 100000000 bytes is larger than the limit of \
                 {MAX_RULE_FILE_BYTES} bytes",
                big.display()
            )
        );
        let d = &err.diagnostics()[0];
        assert_eq!(
            (d.code, d.file.as_str()),
            (codes::TOO_LARGE, big.display().to_string().as_str())
        );
    }
    // At the limit, it is read (zeros are valid UTF-8, and not TOML).
    sparse(&big, MAX_RULE_FILE_BYTES);
    let files = Pack::read_dir(&dir).unwrap();
    assert_eq!(
        files[1].1.len(),
        usize::try_from(MAX_RULE_FILE_BYTES).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_oversized_folder_is_not_read() {
    let dir = scratch("folder");
    let each = MAX_RULE_FILE_BYTES - 1;
    let n = MAX_PACK_BYTES / each + 1;
    for i in 0..n {
        sparse(&dir.join(format!("f{i}.toml")), each);
    }
    let err = Pack::read_dir(&dir).unwrap_err();
    assert!(
        matches!(&err, Error::SizeLimit { path, what: "rule folder", size, limit }
            if *path == dir && *size == n * each && *limit == MAX_PACK_BYTES),
        "{err:?}"
    );
    assert_eq!(err.diagnostics()[0].code, codes::TOO_LARGE);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `f` on a thread and fails if it has not returned within 10 s: a guard against a hang,
/// not a timing assertion.
#[cfg(unix)]
fn no_hang<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(10))
        .expect("the rule folder was not read within 10 s: blocked on a FIFO?")
}

#[cfg(unix)]
#[test]
fn special_files_are_refused_without_blocking() {
    let dir = scratch("fifo");
    let sdk = "[[sdk]]\nid = \"a\"\nname = \"N\"\ncategory = \"ads\"\npurpose = \"p\"\n\
               domains = [\"a.cn\"]\nreferences = [\"r\"]\n";
    std::fs::write(dir.join("a.toml"), sdk).unwrap();
    let fifo = dir.join("fifo.toml");
    match std::process::Command::new("mkfifo").arg(&fifo).status() {
        Ok(s) if s.success() => {}
        other => {
            crate::skip::skip(&format!("mkfifo failed: {other:?}"));
            return;
        }
    }
    let d = dir.clone();
    let err = no_hang(move || Pack::read_dir(&d)).unwrap_err();
    let Error::Io { path, source } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        (path, source.to_string().as_str()),
        (&fifo, "not a regular file (FIFO)")
    );
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, codes::IO);
    assert_eq!(d.message, "cannot read: not a regular file (FIFO)");
    let d = dir.clone();
    assert!(matches!(
        no_hang(move || Pack::from_dir(&d)),
        Err(Error::Io { .. })
    ));

    // A link to a FIFO is refused too; a link to a rule file is read; a link to a folder is
    // not followed; a FIFO not named *.toml is never looked at.
    std::fs::remove_file(&fifo).unwrap();
    let elsewhere = scratch("fifo-target");
    let target = elsewhere.join("pipe");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&target)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink(&target, &fifo).unwrap();
    let d = dir.clone();
    let err = no_hang(move || Pack::read_dir(&d)).unwrap_err();
    assert!(
        err.to_string().contains("not a regular file (FIFO)"),
        "{err}"
    );
    std::fs::remove_file(&fifo).unwrap();
    std::os::unix::fs::symlink(&target, dir.join("pipe")).unwrap();
    std::fs::write(
        elsewhere.join("b.toml"),
        sdk.replace("id = \"a\"", "id = \"b\"")
            .replace("a.cn", "b.cn"),
    )
    .unwrap();
    std::os::unix::fs::symlink(elsewhere.join("b.toml"), dir.join("b.toml")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("folder.toml")).unwrap();
    let d = dir.clone();
    let pack = no_hang(move || Pack::from_dir(&d)).unwrap();
    let ids: Vec<&str> = pack.sdks().iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["a", "b"]);
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&elsewhere);
}
