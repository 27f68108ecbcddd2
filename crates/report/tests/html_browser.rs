//! The HTML report in a real browser: headless Chromium loads it from disk, and the page must
//! produce no console message at all (no script error, no blocked fetch, no policy violation)
//! and show the app in its DOM.
//!
//! Without Chromium the tests say they were skipped (`crate::skip`) and pass, unless `CI` is
//! set: CI installs the Debian package `chromium` and must run them. `APKSCOPE_CHROMIUM` names
//! another browser binary.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use apkscope_report::Lang;

use super::html::{HOSTILE_LABEL, demo_facts, hostile_facts, render, render_in, scan_fixture};

/// A browser that has not answered by then is stuck; it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("APKSCOPE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| {
            [
                "chromium",
                "chromium-browser",
                "google-chrome",
                "google-chrome-stable",
            ]
            .map(|name| dir.join(name))
        })
        .find(|candidate| candidate.is_file())
}

fn chromium_or_skip() -> Option<PathBuf> {
    let found = find_chromium();
    if found.is_none() {
        crate::skip::required_in_ci(
            "chromium not found (apt-get install chromium, or set APKSCOPE_CHROMIUM)",
        );
    }
    found
}

/// What the browser made of a page.
struct Loaded {
    /// The DOM after loading, serialised.
    dom: String,
    /// Console messages: script errors, blocked loads, policy violations.
    console: Vec<String>,
}

fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "apkscope-html-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for byte in path.to_str().unwrap().bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            url.push(char::from(byte));
        } else {
            write!(url, "%{byte:02X}").unwrap();
        }
    }
    url
}

/// Chromium logs each console message to stderr as `...:INFO:CONSOLE:<line>] "<message>",
/// source: <url> (<line>)` (older builds: `CONSOLE(<line>)`); the rest of stderr is noise
/// about D-Bus and GPUs in a container.
fn console_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Content Security Policy"))
        .map(str::to_owned)
        .collect()
}

fn load(chromium: &Path, name: &str, html: &str) -> Loaded {
    let dir = temp_dir(name);
    let page = dir.join("page.html");
    fs::write(&page, html).unwrap();
    let stdout = dir.join("stdout");
    let stderr = dir.join("stderr");
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-extensions",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg("--dump-dom")
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(File::create(&stdout).unwrap())
        .stderr(File::create(&stderr).unwrap());
    // Its own process group, so a hung browser is killed with its renderer and GPU children.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            #[cfg(unix)]
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name}: chromium did not finish within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let dom = fs::read_to_string(&stdout).unwrap();
    let stderr = fs::read_to_string(&stderr).unwrap();
    assert!(
        status.success(),
        "{name}: chromium failed ({status}):\n{stderr}"
    );
    assert!(!dom.is_empty(), "{name}: chromium dumped no DOM:\n{stderr}");
    let _ = fs::remove_dir_all(&dir);
    Loaded {
        console: console_lines(&stderr),
        dom,
    }
}

#[test]
fn demo_report_loads_without_console_messages() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let facts = demo_facts();
    let loaded = load(&chromium, "demo", &render(&facts));
    assert!(
        loaded.console.is_empty(),
        "console:\n{}",
        loaded.console.join("\n")
    );
    assert!(loaded.dom.contains("<h2>Apkscope Demo</h2>"));
    assert!(
        loaded
            .dom
            .contains(&format!("data-findings=\"{}\"", facts.findings.len()))
    );
    assert!(
        loaded
            .dom
            .contains(&format!("Findings ({})", facts.findings.len()))
    );
    assert!(loaded.dom.contains("com.example.apkscope.demo"));
}

/// The Chinese pages load as cleanly, with every in-page link (finding → check → reference)
/// landing on an element the browser built.
#[test]
fn chinese_reports_load_without_console_messages() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    for (name, facts) in [
        ("demo", demo_facts()),
        ("collector", scan_fixture("collector")),
    ] {
        let loaded = load(
            &chromium,
            &format!("{name}-zh"),
            &render_in(&facts, Lang::Zh),
        );
        assert!(
            loaded.console.is_empty(),
            "{name} console:\n{}",
            loaded.console.join("\n")
        );
        assert!(loaded.dom.contains("<html lang=\"zh-CN\">"), "{name}");
        assert!(
            loaded
                .dom
                .contains(&format!("问题（{}）", facts.findings.len())),
            "{name}"
        );
        for check in &facts.checks {
            assert!(
                loaded.dom.contains(&format!(
                    "<article class=\"check\" id=\"app-1-check-{}\"",
                    check.id
                )),
                "{name}: {}",
                check.id
            );
        }
    }
}

#[test]
fn hostile_report_stays_text_in_the_browser() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let loaded = load(&chromium, "hostile", &render(&hostile_facts()));
    assert!(
        loaded.console.is_empty(),
        "console:\n{}",
        loaded.console.join("\n")
    );
    // The DOM holds no element the app's strings asked for; the label is a heading's text.
    let dom = loaded.dom.to_ascii_lowercase();
    for element in ["<script", "<img", "<iframe", "<link"] {
        assert!(!dom.contains(element), "{element} in the DOM");
    }
    assert!(!loaded.dom.contains(HOSTILE_LABEL));
    assert!(
        loaded
            .dom
            .contains("<h2>&lt;script&gt;alert(1)&lt;/script&gt;</h2>")
    );
}

/// The check above is only worth something if it notices a broken page: an external image
/// (blocked by the policy) and a script error must both show up as console lines.
#[test]
fn console_check_catches_broken_pages() {
    let Some(chromium) = chromium_or_skip() else {
        return;
    };
    let report = render(&hostile_facts());
    let with_remote_image = report.replace(
        "</body>",
        "<img src=\"http://198.51.100.7/tracker.png\" alt=\"\"></body>",
    );
    let loaded = load(&chromium, "remote-image", &with_remote_image);
    assert!(
        loaded.console.iter().any(|l| l.contains("198.51.100.7")),
        "a blocked remote image went unnoticed"
    );

    let with_script_error = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>t</title>\
         </head><body><p>x</p><script>notDefinedAnywhere()</script></body></html>";
    let loaded = load(&chromium, "script-error", with_script_error);
    assert!(
        loaded
            .console
            .iter()
            .any(|l| l.contains("notDefinedAnywhere")),
        "a script error went unnoticed"
    );
}
