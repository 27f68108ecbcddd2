//! The binary, end to end: formats, exit codes, error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub(crate) fn apkscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_apkscope"))
        .args(args)
        .output()
        .unwrap()
}

pub(crate) fn demo_apk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/demo.apk")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("apkscope-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn scan_json(path: &Path) -> serde_json::Value {
    let output = apkscope(&["scan", "--format", "json", path.to_str().unwrap()]);
    assert!(output.status.success(), "scan failed: {}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn scan_json_reports_the_demo_app() {
    let report = scan_json(&demo_apk());
    assert_eq!(report["schema_version"], apkscope_facts::SCHEMA_VERSION);
    assert!(
        report["input"]["path"]
            .as_str()
            .unwrap()
            .ends_with("demo.apk")
    );
    assert_eq!(report["input"]["sha256"].as_str().unwrap().len(), 64);
    assert!(report["input"]["size"].as_u64().unwrap() > 0);

    let app = &report["app"];
    assert_eq!(app["package"], "com.example.apkscope.demo");
    assert_eq!(app["version_code"], 7);
    assert_eq!(app["version_name"], "1.2.0");
    assert_eq!(app["min_sdk"], 21);
    assert_eq!(app["target_sdk"], 30);
    assert_eq!(app["label"], "Apkscope Demo");

    let requested = report["permissions"]["requested"].as_array().unwrap();
    let storage = requested
        .iter()
        .find(|p| p["name"] == "android.permission.WRITE_EXTERNAL_STORAGE")
        .expect("WRITE_EXTERNAL_STORAGE requested");
    assert_eq!(storage["max_sdk"], 28);
    let phone = requested
        .iter()
        .find(|p| p["name"] == "android.permission.READ_PHONE_STATE");
    assert_eq!(phone.unwrap()["max_sdk"], serde_json::Value::Null);
    assert!(
        requested
            .iter()
            .any(|p| p["element"] == "uses-permission-sdk-23")
    );

    let components = report["manifest"]["components"].as_array().unwrap();
    let main = components
        .iter()
        .find(|c| c["name"] == "com.example.apkscope.demo.MainActivity")
        .expect("MainActivity listed fully qualified");
    assert_eq!(main["kind"], "activity");
    // Launcher intent filter and targetSdk 30 < 31: exported by the implicit rule.
    assert_eq!(main["exported"], true);
    assert_eq!(main["exported_explicit"], false);
    let settings = components
        .iter()
        .find(|c| c["name"] == "com.example.apkscope.demo.ui.SettingsActivity")
        .expect("relative name qualified");
    assert_eq!(settings["exported"], false);
    for kind in [
        "activity",
        "activity-alias",
        "service",
        "receiver",
        "provider",
    ] {
        assert!(components.iter().any(|c| c["kind"] == kind), "no {kind}");
    }
    assert!(report["anomalies"].is_array());
}

#[test]
fn scan_is_deterministic() {
    let a = apkscope(&["scan", "--format", "json", demo_apk().to_str().unwrap()]);
    let b = apkscope(&["scan", "--format", "json", demo_apk().to_str().unwrap()]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn scan_text_is_readable() {
    let output = apkscope(&["scan", demo_apk().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("com.example.apkscope.demo"));
    assert!(text.contains("Apkscope Demo"));
    assert!(text.contains("android.permission.READ_PHONE_STATE"));
}

#[test]
fn scan_writes_to_out_file() {
    let dir = temp_dir("out");
    let out = dir.join("report.json");
    let output = apkscope(&[
        "scan",
        "--format",
        "json",
        "--out",
        out.to_str().unwrap(),
        demo_apk().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(report["app"]["package"], "com.example.apkscope.demo");
}

#[test]
fn manifest_prints_decoded_xml() {
    let output = apkscope(&["manifest", demo_apk().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let xml = String::from_utf8(output.stdout).unwrap();
    assert!(xml.contains("<manifest"));
    assert!(xml.contains("xmlns:android=\"http://schemas.android.com/apk/res/android\""));
    assert!(xml.contains("package=\"com.example.apkscope.demo\""));
    assert!(xml.contains("android:name=\"android.permission.READ_PHONE_STATE\""));
    assert!(xml.contains("</manifest>"));
}

/// `apkscope manifest` prints XML a strict parser reads, whatever names and namespaces the
/// binary manifest holds; stderr lists what XML could not carry as it was.
#[test]
fn manifest_output_is_always_well_formed_xml() {
    use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
    use apkscope_testkit::zip::ZipBuilder;
    let manifest = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .ns("_", "")
        .ns("1 bad", "urn:bad")
        .start(
            "manifest",
            vec![
                Attr::plain("package", AttrValue::str("com.example.names")),
                Attr::in_ns("urn:bad", "x y", AttrValue::str("a\u{1}b")),
            ],
        )
        .start("1st <element>", vec![])
        .end("1st <element>")
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build();
    let dir = temp_dir("manifest-names");
    let path = dir.join("names.apk");
    std::fs::write(
        &path,
        ZipBuilder::new()
            .deflated("AndroidManifest.xml", &manifest)
            .build(),
    )
    .unwrap();
    let mut apks = vec![path, demo_apk()];
    // A sample of the corpus, when it is there (the axml tests render every corpus manifest).
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    let mut found = Vec::new();
    collect_apks(&corpus, &mut found);
    found.sort();
    apks.extend(found.into_iter().step_by(12));
    for apk in &apks {
        let output = apkscope(&["manifest", apk.to_str().unwrap()]);
        if output.status.code() == Some(2) {
            continue; // not an APK with a manifest: nothing to render
        }
        assert!(
            output.status.success(),
            "{}: {}",
            apk.display(),
            stderr(&output)
        );
        let xml = String::from_utf8(output.stdout).unwrap();
        let doc = roxmltree::Document::parse(&xml)
            .unwrap_or_else(|err| panic!("{}: {err}\n{xml}", apk.display()));
        assert_eq!(doc.root_element().tag_name().name(), "manifest");
        assert!(!xml.contains("xmlns:_=\"\""), "{xml}");
    }
    let hostile = apkscope(&["manifest", apks[0].to_str().unwrap()]);
    let warnings = stderr(&hostile);
    assert!(warnings.contains("xml_namespace_dropped"), "{warnings}");
    assert!(warnings.contains("xml_name_replaced"), "{warnings}");
    eprintln!("manifest: {} APKs rendered to well-formed XML", apks.len());
}

fn collect_apks(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_apks(&path, out);
        } else if path.extension().is_some_and(|e| e == "apk") {
            out.push(path);
        }
    }
}

#[test]
fn not_a_zip_is_an_input_error_with_one_line() {
    let dir = temp_dir("notzip");
    let path = dir.join("notes.apk");
    std::fs::write(&path, b"this is not a zip file at all").unwrap();
    let output = apkscope(&["scan", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_eq!(message.trim_end().lines().count(), 1, "{message}");
    assert!(message.contains("notes.apk"), "{message}");
    assert!(message.contains("not an APK"), "{message}");
}

#[test]
fn missing_file_is_an_input_error() {
    let output = apkscope(&["scan", "/nonexistent/dir/app.apk"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("/nonexistent/dir/app.apk"));
}

#[test]
fn zip_without_manifest_is_an_input_error() {
    let dir = temp_dir("nomanifest");
    let path = dir.join("plain.zip");
    let zip = apkscope_testkit::zip::ZipBuilder::new()
        .stored("readme.txt", b"hello")
        .build();
    std::fs::write(&path, zip).unwrap();
    let output = apkscope(&["scan", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("AndroidManifest.xml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_errors_exit_3() {
    assert_eq!(apkscope(&["scan"]).status.code(), Some(3));
    assert_eq!(apkscope(&["frobnicate"]).status.code(), Some(3));
    assert_eq!(apkscope(&["--help"]).status.code(), Some(0));
}

#[test]
fn scan_reports_the_code_section() {
    let report = scan_json(&demo_apk());
    let code = &report["code"];
    assert_eq!(code["analysed"], true);
    let dex = code["dex"].as_array().unwrap();
    let entries: Vec<&str> = dex.iter().map(|d| d["entry"].as_str().unwrap()).collect();
    assert_eq!(entries, ["classes.dex", "classes2.dex"]);
    for d in dex {
        for field in ["classes", "methods", "strings"] {
            assert!(d[field].as_u64().unwrap() > 0, "{field} of {}", d["entry"]);
        }
        assert!(d["anomalies"].as_array().unwrap().is_empty());
    }
    assert!(code["hidden_payloads"].is_array());

    let output = apkscope(&[
        "scan",
        "--no-code",
        "--format",
        "json",
        demo_apk().to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let fast: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(fast["code"]["analysed"], false);
    assert_eq!(fast["app"], report["app"]);
}

#[test]
fn classes_lists_every_class_as_json() {
    let output = apkscope(&["classes", "--format", "json", demo_apk().to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let classes: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let classes = classes.as_array().unwrap();
    assert_eq!(classes.len(), 12);
    let main = classes
        .iter()
        .find(|c| c["descriptor"] == "Lcom/example/apkscope/demo/MainActivity;")
        .unwrap();
    assert_eq!(main["dex"], "classes.dex");
    assert_eq!(main["superclass"], "Landroid/app/Activity;");
    assert!(main["direct_methods"].as_u64().unwrap() >= 1);
    assert!(main["virtual_methods"].as_u64().unwrap() >= 1);
    let umeng = classes
        .iter()
        .find(|c| c["descriptor"] == "Lcom/umeng/analytics/MobclickAgent;")
        .unwrap();
    assert_eq!(umeng["dex"], "classes2.dex");

    let text = apkscope(&["classes", demo_apk().to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert_eq!(text.lines().count(), 12);
    assert!(text.contains("classes2.dex\tLcom/umeng/analytics/MobclickAgent;"));
}

#[test]
fn classes_reads_a_bare_dex_file() {
    use apkscope_testkit::dex::{ClassSpec, DexBuilder, MethodSpec};
    let dex = DexBuilder::new()
        .class(
            ClassSpec::new("Lcom/example/Solo;").direct_method(MethodSpec::new("<init>", "V", &[])),
        )
        .build();
    let dir = temp_dir("baredex");
    let path = dir.join("solo.dex");
    std::fs::write(&path, dex).unwrap();
    let output = apkscope(&["classes", "--format", "json", path.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let classes: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(classes[0]["descriptor"], "Lcom/example/Solo;");
    assert_eq!(classes[0]["dex"], "solo.dex");
    assert_eq!(classes[0]["direct_methods"], 1);
}

#[test]
fn hostile_container_tricks_become_anomalies() {
    use apkscope_testkit::axml::{ANDROID_NS, Attr, AttrValue, AxmlBuilder};
    use apkscope_testkit::zip::{ZipBuilder, ZipEntry};
    let manifest = AxmlBuilder::new()
        .ns("android", ANDROID_NS)
        .start(
            "manifest",
            vec![Attr::plain(
                "package",
                AttrValue::str("com.example.hostile"),
            )],
        )
        .end("manifest")
        .end_ns("android", ANDROID_NS)
        .build();
    let apk = ZipBuilder::new()
        .prepend(b"dex\n035\0 a Janus-style prefix")
        .entry(ZipEntry::deflated("AndroidManifest.xml", &manifest).encrypted())
        .stored("assets/a.txt", b"first")
        .stored("assets/a.txt", b"second")
        .stored("../../etc/passwd", b"x")
        .signing_block(&[(0x7109_871a, b"v2"), (0x7177_7777, b"walle channel")])
        .build();
    let dir = temp_dir("hostile");
    let path = dir.join("hostile.apk");
    std::fs::write(&path, apk).unwrap();
    let report = scan_json(&path);
    assert_eq!(report["app"]["package"], "com.example.hostile");
    let kinds: Vec<&str> = report["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    for expected in [
        "prepended_data",
        "encryption_flag_ignored",
        "duplicate_entry",
        "suspicious_entry_name",
    ] {
        assert!(
            kinds.contains(&expected),
            "{expected} missing from {kinds:?}"
        );
    }
    let blocks = report["container"]["signing_block"]["blocks"]
        .as_array()
        .unwrap();
    assert_eq!(blocks[0]["id"], "0x7109871a");
    assert!(blocks[0]["name"].as_str().unwrap().contains("v2"));
    assert_eq!(blocks[1]["id"], "0x71777777");
}

#[test]
fn scan_reports_native_libraries() {
    let report = scan_json(&demo_apk());
    let native = report["native"].as_array().unwrap();
    assert_eq!(native.len(), 2);
    let arm64 = native
        .iter()
        .find(|n| n["path"] == "lib/arm64-v8a/libapkscope_demo.so")
        .unwrap();
    assert_eq!(arm64["abi"], "arm64-v8a");
    assert_eq!(arm64["jni_onload"], true);
    assert!(
        arm64["jni_methods"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "com.example.apkscope.demo.NativeBridge.collect"),
        "{arm64}"
    );
    assert!(
        arm64["strings_of_interest"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "/sys/class/net/wlan0/address")
    );
    assert!(arm64["hardening"]["nx"].is_boolean());
}

#[test]
fn scan_reports_signing_schemes_and_certificates() {
    let report = scan_json(&demo_apk());
    let signing = &report["signing"];
    assert_eq!(signing["schemes"], serde_json::json!(["v1", "v2", "v3"]));
    let certs = signing["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 3);
    for cert in certs {
        // apksigner verify --print-certs fixtures/demo/demo.apk
        assert_eq!(
            cert["sha256"],
            "0b1aa502db9818d9681c145203f4360065467e932755e78c70985f209cee1df7"
        );
        assert_eq!(cert["sha1"], "f013592fa2c8bcd855510fb26cc8b672831da552");
        assert_eq!(cert["key_type"], "RSA");
        assert_eq!(cert["key_bits"], 2048);
        assert_eq!(cert["debug"], false);
        assert_eq!(cert["md5"].as_str().unwrap().len(), 32);
    }
}

/// A dex file whose code reads the IMEI and embeds the `JPush` SDK, for bare-dex scans.
fn bare_dex() -> Vec<u8> {
    use apkscope_testkit::dex::{ClassSpec, DexBuilder, Insn, MethodRef, MethodSpec};
    let get_device_id = MethodRef::new(
        "Landroid/telephony/TelephonyManager;",
        "getDeviceId",
        "Ljava/lang/String;",
        &[],
    );
    let reads = MethodSpec::new("read", "V", &["Landroid/telephony/TelephonyManager;"]).code(
        2,
        2,
        1,
        vec![Insn::invoke(0x6e, &[1], get_device_id), Insn::return_void()],
    );
    DexBuilder::new()
        .class(ClassSpec::new("Lcom/example/bare/Main;").virtual_method(reads))
        .class(ClassSpec::new("Lcn/jpush/android/api/JPushInterface;"))
        .build()
}

/// Scans a bare dex file (code only) as JSON with the default pack.
fn scan_bare_dex(name: &str) -> serde_json::Value {
    let dir = temp_dir(name);
    let dex = dir.join("classes.dex");
    std::fs::write(&dex, bare_dex()).unwrap();
    let output = apkscope(&[
        "scan",
        "--format",
        "json",
        "--as-of",
        "2025-01-01",
        dex.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    std::fs::remove_dir_all(&dir).unwrap();
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A bare dex is code alone: what its code does is reported (the IMEI read, the `JPush` SDK).
#[test]
fn a_bare_dex_reports_its_code() {
    let report = scan_bare_dex("bare-dex-code");
    assert_eq!(report["container"]["entries"], 0);
    assert_eq!(report["code"]["dex"][0]["entry"], "classes.dex");
    assert!(
        report["sdks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|sdk| sdk["id"] == "jpush"),
        "{}",
        report["sdks"]
    );
    assert!(
        report["pi_access"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["pi_type"] == "imei"),
        "{}",
        report["pi_access"]
    );
}

/// A bare dex has no manifest, so no check of the manifest applies to it: no finding about
/// exported components, manifest flags, requested permissions, the network security config or
/// signatures may appear — their absence is not the app's.
#[test]
fn a_bare_dex_gets_no_manifest_findings() {
    let report = scan_bare_dex("bare-dex-manifest");
    let manifest_rules: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .filter(|rule| {
            ["EXP", "MAN", "PERM", "NET", "SIGN"]
                .iter()
                .any(|prefix| rule.starts_with(prefix))
        })
        .collect();
    assert!(
        manifest_rules.is_empty(),
        "manifest-dependent findings on a bare dex: {manifest_rules:?}"
    );
}

/// A bare dex has no manifest, so which permissions the app holds and which versions it runs
/// on are unknown: a finding on its code may not be judged against them (`blocked`, "which
/// the app does not hold … (minSdkVersion 1)") as if an empty manifest had been read.
#[test]
fn a_bare_dex_is_not_judged_against_a_manifest_it_lacks() {
    let report = scan_bare_dex("bare-dex-blocked");
    let findings = report["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["rule"].as_str().unwrap().starts_with("API")),
        "the IMEI read is a finding: {findings:?}"
    );
    for finding in findings {
        assert_ne!(finding["confidence"], "blocked", "{finding}");
        let reason = finding["severity_reason"].as_str().unwrap_or_default();
        assert!(!reason.contains("does not hold"), "{finding}");
        assert!(!reason.contains("minSdkVersion"), "{finding}");
    }
}

/// `apkscope completions SHELL` prints a script that completes every subcommand.
#[test]
fn completions_cover_every_subcommand() {
    let bash = apkscope(&["completions", "bash"]);
    assert!(bash.status.success(), "{}", stderr(&bash));
    let script = String::from_utf8(bash.stdout).unwrap();
    assert!(script.contains("complete -F _apkscope"), "{script}");
    for sub in [
        "scan",
        "baseline",
        "summarize",
        "manifest",
        "classes",
        "rules",
        "completions",
        "man",
    ] {
        assert!(
            script.contains(&format!("cmd=\"apkscope__subcmd__{sub}\"")),
            "bash completion lacks {sub}"
        );
    }
    assert!(script.contains("--timeout-per-app") && script.contains("sdk-list-csv"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        let output = apkscope(&["completions", shell]);
        assert!(output.status.success(), "{shell}: {}", stderr(&output));
        let script = String::from_utf8(output.stdout).unwrap();
        assert!(script.contains("timeout-per-app"), "{shell}: {script}");
    }
    assert_eq!(apkscope(&["completions", "tcsh"]).status.code(), Some(3));
}

/// `apkscope man` prints one roff page: the command, then a section per subcommand with its
/// options.
#[test]
fn the_man_page_documents_the_scan_options() {
    let output = apkscope(&["man"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let page = String::from_utf8(output.stdout).unwrap();
    assert!(page.contains("\n.TH apkscope 1 "), "{page}");
    assert!(
        page.contains(".SH NAME\napkscope \\- Static privacy"),
        "{page}"
    );
    let scan = page
        .split("\n.SH ")
        .find(|section| section.starts_with("\"APKSCOPE SCAN\""))
        .expect("a section for scan");
    for option in [
        "\\fB\\-\\-format\\fR",
        "\\fB\\-\\-out\\-dir\\fR",
        "\\fB\\-\\-jobs\\fR",
        "\\fB\\-\\-timeout\\-per\\-app\\fR",
        "\\fB\\-\\-shard\\fR",
        "\\fB\\-\\-fail\\-on\\fR",
        "\\fB\\-\\-max\\-app\\-mib\\fR",
        "\\fB\\-\\-as\\-of\\fR",
    ] {
        assert!(scan.contains(option), "no {option} in {scan}");
    }
    for section in ["\"APKSCOPE RULES TEST\"", "\"APKSCOPE SUMMARIZE\""] {
        assert!(page.contains(&format!("\n.SH {section}\n")), "no {section}");
    }
    // No page of its own is pointed at: the subcommands are sections of this one.
    assert!(!page.contains("apkscope\\-scan(1)"), "{page}");
}

/// `--app-package` makes a package the app's own: the collector fixture's `com.zzz.collector`
/// code is then reported as the app's (API002), not as unknown code (API009).
#[test]
fn app_package_makes_code_the_apps_own() {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/collector/collector.apk");
    let fixture = fixture.to_str().unwrap();
    let scan = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec!["scan", "--format", "json"];
        args.extend_from_slice(extra);
        args.push(fixture);
        let output = apkscope(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let rules = |report: &serde_json::Value| -> Vec<String> {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_owned())
            .collect()
    };
    let plain = scan(&[]);
    assert!(rules(&plain).contains(&"API009".to_owned()));
    assert_eq!(
        plain["unknown_components"][0]["package"],
        "com.zzz.collector"
    );
    let owned = scan(&["--app-package", "com.zzz.collector"]);
    assert!(!rules(&owned).contains(&"API009".to_owned()));
    assert_eq!(owned["unknown_components"], serde_json::json!([]));
    let bad = apkscope(&["scan", "--app-package", "com..x", fixture]);
    assert_eq!(bad.status.code(), Some(3), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("not a dotted Java package name"));
}

/// `--lang zh` words the text report, SARIF messages and rule help in Chinese; JSON is the
/// same in either language (it carries both); an unknown language is a usage error.
#[test]
fn lang_zh_renders_reports_in_chinese() {
    let demo = demo_apk();
    let demo = demo.to_str().unwrap();
    let run = |args: &[&str]| {
        let output = apkscope(args);
        assert!(output.status.success(), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    let text = run(&["scan", "--lang", "zh", "--as-of", "2026-12-01", demo]);
    for want in [
        "申请的权限",
        "问题 (",
        "问题说明",
        "原因：",
        "建议：",
        "依据：",
    ] {
        assert!(text.contains(want), "`{want}` missing:\n{text}");
    }
    let sarif: serde_json::Value =
        serde_json::from_str(&run(&["scan", "--format", "sarif", "--lang", "zh", demo])).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["message"]["text"].as_str().unwrap().contains("申请了")),
        "{results:?}"
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert!(
        rules.iter().any(|r| r["help"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("整改建议")),
        "{rules:?}"
    );
    let html = run(&["scan", "--format", "html", "--lang", "zh", demo]);
    assert!(html.contains("<html lang=\"zh-CN\""), "{html}");
    let json = |lang: &str| {
        run(&[
            "scan",
            "--format",
            "json",
            "--lang",
            lang,
            "--as-of",
            "2026-12-01",
            demo,
        ])
    };
    assert_eq!(json("en"), json("zh"));
    let bad = apkscope(&["scan", "--lang", "fr", demo]);
    assert_eq!(bad.status.code(), Some(3), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("not a report language"),
        "{}",
        stderr(&bad)
    );
}

/// `explain` by API signature and by a finding's fingerprint; a target that names nothing is a
/// usage error that says what a target looks like.
#[test]
fn explain_prints_the_chains_to_a_sink() {
    let apk =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/consent/provider-init.apk");
    let apk = apk.to_str().unwrap();
    let sink = "Landroid/provider/Settings$Secure;->getString(Landroid/content/ContentResolver;Ljava/lang/String;)Ljava/lang/String;";
    let output = apkscope(&["explain", apk, sink]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("[startup, before any UI]"), "{text}");
    assert!(
        text.contains("Lcom/example/consent/providerinit/sdk/AutoInitProvider;->onCreate()Z @4"),
        "{text}"
    );

    let report = scan_json(Path::new(apk));
    let fingerprint = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "CONS001")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let output = apkscope(&["explain", apk, &fingerprint, "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let explanation: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let chain = &explanation["sites"][0]["chains"][0];
    assert_eq!(chain["trigger"], "startup");
    assert_eq!(chain["grade"], "before-any-ui");
    assert_eq!(chain["chain"].as_array().unwrap().len(), 2);

    let output = apkscope(&["explain", apk, "getDeviceId"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(
        stderr(&output).contains("neither a finding fingerprint"),
        "{}",
        stderr(&output)
    );
}
