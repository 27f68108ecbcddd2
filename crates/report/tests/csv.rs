//! CSV tables on a real scan of the demo APK and on hostile facts, read back with a small
//! RFC 4180 reader.

use std::sync::OnceLock;

use apkscope_facts::{AppFacts, InputFacts, RequestedPermission, SdkFacts};
use apkscope_report::{
    CSV_COLUMNS, CsvWriter, Lang, SdkListCsvWriter, Summary, UTF8_BOM, sdk_list_batch_columns,
    write_permission_matrix_csv, write_sdk_list_csv, write_sdk_table_csv,
};

/// The demo APK scanned once with the default rule pack, as the CLI scans it.
pub(crate) fn demo() -> &'static AppFacts {
    static DEMO: OnceLock<AppFacts> = OnceLock::new();
    DEMO.get_or_init(crate::scan_demo)
}

/// Reads a CSV file apkscope wrote: the UTF-8 byte-order mark every one starts with, then RFC
/// 4180 records (quoted cells, doubled quotes, line breaks inside quotes). Strict: a missing
/// byte-order mark, a stray quote or an unterminated quoted cell fails the test.
pub(crate) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let Some(text) = text.strip_prefix(UTF8_BOM) else {
        panic!("no byte-order mark at the start of {text:?}");
    };
    parse_records(text)
}

/// Reads RFC 4180 records.
fn parse_records(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut at_cell_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_cell_start => {
                loop {
                    match chars.next() {
                        Some('"') if chars.peek() == Some(&'"') => {
                            chars.next();
                            cell.push('"');
                        }
                        Some('"') => break,
                        Some(c) => cell.push(c),
                        None => panic!("unterminated quoted cell in {text:?}"),
                    }
                }
                assert!(
                    matches!(chars.peek(), None | Some(',' | '\n')),
                    "text after a closing quote in {text:?}"
                );
                at_cell_start = false;
            }
            '"' => panic!("stray quote in an unquoted cell: {cell:?}"),
            ',' => {
                record.push(std::mem::take(&mut cell));
                at_cell_start = true;
            }
            '\n' => {
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
                at_cell_start = true;
            }
            '\r' => panic!("bare CR outside quotes"),
            c => {
                cell.push(c);
                at_cell_start = false;
            }
        }
    }
    assert!(
        cell.is_empty() && record.is_empty(),
        "last record not terminated by LF"
    );
    records
}

fn write_long(apps: &[&AppFacts], failures: &[(&str, &str, &str)]) -> Vec<Vec<String>> {
    let mut writer = CsvWriter::new(Vec::new()).unwrap();
    for facts in apps {
        writer.write_app(facts).unwrap();
    }
    for (path, kind, message) in failures {
        writer.write_failure(path, kind, message).unwrap();
    }
    let bytes = writer.finish().unwrap();
    parse_csv(&String::from_utf8(bytes).unwrap())
}

fn column(name: &str) -> usize {
    CSV_COLUMNS.iter().position(|c| *c == name).unwrap()
}

/// Facts whose every string an attacker chose to break CSV or a spreadsheet.
fn hostile() -> AppFacts {
    let mut facts = AppFacts::new(InputFacts {
        path: "-evil,\"x\".apk".into(),
        sha256: "=cmd|' /C calc'!A0".into(),
        size: 1,
    });
    facts.app.package = Some("@SUM(1+1)*cmd|' /C calc'!A0".into());
    facts.app.version_name = Some("+1\r\n2".into());
    facts.app.label = Some("\tlabel".into());
    facts.sdks.push(SdkFacts {
        id: "evil".into(),
        name: "=HYPERLINK(\"http://evil.example\",\"click\")".into(),
        vendor: Some("Evil, Inc.\nLine two".into()),
        category: "ads".into(),
        pi_types: vec!["imei".into(), "=1".into()],
        ..SdkFacts::default()
    });
    facts.permissions.requested.push(RequestedPermission {
        name: "-2+3".into(),
        element: "uses-permission".into(),
        used_by: vec!["app".into(), "evil".into()],
        used: Some(true),
        ..RequestedPermission::default()
    });
    facts
}

#[test]
fn long_table_rows_match_the_header() {
    let facts = demo();
    let records = write_long(&[facts, facts], &[("bad.apk", "not_apk", "no manifest")]);
    assert_eq!(records[0], CSV_COLUMNS);
    for record in &records {
        assert_eq!(record.len(), CSV_COLUMNS.len(), "{record:?}");
    }
    let rows = &records[1..];
    let per_app = 1 + facts.sdks.len() + facts.permissions.requested.len();
    assert_eq!(rows.len(), 2 * per_app + 1);

    let record = column("record");
    let of_kind = |kind: &str| rows.iter().filter(|r| r[record] == kind).count();
    assert_eq!(of_kind("app"), 2);
    assert_eq!(of_kind("sdk"), 2 * facts.sdks.len());
    assert_eq!(of_kind("permission"), 2 * facts.permissions.requested.len());
    assert_eq!(of_kind("error"), 1);

    // Every row starts with the app columns.
    for row in &rows[..per_app] {
        assert_eq!(row[0], facts.input.path);
        assert_eq!(row[1], facts.input.sha256);
        assert_eq!(row[2], "com.example.apkscope.demo");
        assert_eq!(row[3], "1.2.0");
    }
    assert_eq!(rows[0][record], "app");
    assert_eq!(rows[0][column("name")], "Apkscope Demo");

    let jpush = rows
        .iter()
        .find(|r| r[record] == "sdk" && r[column("id")] == "jpush")
        .unwrap();
    assert_eq!(jpush[column("name")], "JPush");
    assert_eq!(jpush[column("name_zh")], "极光推送");
    assert_eq!(jpush[column("category")], "push");
    assert_eq!(jpush[column("pi_types")], "imsi; serial");
    assert_eq!(
        jpush[column("permissions")],
        "android.permission.READ_PHONE_STATE"
    );
    assert_eq!(jpush[column("classes")], "1");
    assert_eq!(jpush[column("used")], "", "permission columns stay empty");

    let phone = rows
        .iter()
        .find(|r| {
            r[record] == "permission" && r[column("id")] == "android.permission.READ_PHONE_STATE"
        })
        .unwrap();
    assert_eq!(phone[column("group")], "phone");
    assert_eq!(phone[column("protection_level")], "dangerous");
    assert_eq!(phone[column("used")], "yes");
    assert_eq!(phone[column("used_by")], "app; jpush");
    assert_eq!(phone[column("vendor")], "", "sdk columns stay empty");
    let used = |name: &str| {
        rows.iter()
            .find(|r| r[column("id")] == name)
            .map(|r| r[column("used")].clone())
            .unwrap()
    };
    assert_eq!(used("android.permission.CAMERA"), "no");
    assert_eq!(used("android.permission.INTERNET"), "unknown");

    let error = rows.last().unwrap();
    assert_eq!(error[..5], ["bad.apk", "", "", "", "error"]);
    assert_eq!(error[column("id")], "not_apk");
    assert_eq!(error[column("message")], "no manifest");
}

#[test]
fn header_alone_when_nothing_is_written() {
    let bytes = CsvWriter::new(Vec::new()).unwrap().finish().unwrap();
    let records = parse_csv(&String::from_utf8(bytes).unwrap());
    assert_eq!(records, [CSV_COLUMNS]);
}

#[test]
fn app_without_sdks_or_permissions_still_has_its_row() {
    let facts = AppFacts::new(InputFacts {
        path: "empty.apk".into(),
        ..InputFacts::default()
    });
    let records = write_long(&[&facts], &[]);
    assert_eq!(records.len(), 2);
    assert_eq!(records[1][..5], ["empty.apk", "", "", "", "app"]);
    let mut sdks = Vec::new();
    write_sdk_table_csv(&facts, &mut sdks).unwrap();
    assert_eq!(parse_csv(&String::from_utf8(sdks).unwrap()).len(), 1);
}

#[test]
fn hostile_strings_are_quoted_and_formula_guarded() {
    let facts = hostile();
    let mut writer = CsvWriter::new(Vec::new()).unwrap();
    writer.write_app(&facts).unwrap();
    writer
        .write_failure("=evil.apk", "io", "@cannot, \"read\"")
        .unwrap();
    let text = String::from_utf8(writer.finish().unwrap()).unwrap();
    let records = parse_csv(&text);
    assert_eq!(records.len(), 5);
    for record in &records {
        assert_eq!(record.len(), CSV_COLUMNS.len(), "{record:?}");
        for cell in record {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unguarded cell {cell:?}"
            );
        }
    }
    let app = &records[1];
    assert_eq!(app[0], "'-evil,\"x\".apk");
    assert_eq!(app[1], "'=cmd|' /C calc'!A0");
    assert_eq!(app[2], "'@SUM(1+1)*cmd|' /C calc'!A0");
    assert_eq!(app[3], "'+1\r\n2");
    assert_eq!(app[column("name")], "'\tlabel");
    let sdk = &records[2];
    assert_eq!(
        sdk[column("name")],
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(sdk[column("vendor")], "Evil, Inc.\nLine two");
    // Only a cell's first character is guarded, not each list item.
    assert_eq!(sdk[column("pi_types")], "imei; =1");
    let permission = &records[3];
    assert_eq!(permission[column("id")], "'-2+3");
    assert_eq!(permission[column("used_by")], "app; evil");
    let error = &records[4];
    assert_eq!(error[0], "'=evil.apk");
    assert_eq!(error[column("message")], "'@cannot, \"read\"");
}

#[test]
fn per_app_tables_have_a_row_per_sdk_and_permission() {
    let facts = demo();
    let mut sdks = Vec::new();
    write_sdk_table_csv(facts, &mut sdks).unwrap();
    let sdks = parse_csv(&String::from_utf8(sdks).unwrap());
    assert_eq!(sdks.len(), 1 + facts.sdks.len());
    assert_eq!(facts.sdks.len(), 3);
    assert_eq!(sdks[0][..3], ["id", "name", "name_zh"]);
    let ids: Vec<&str> = sdks[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["bugly", "jpush", "umeng"]);
    for row in &sdks {
        assert_eq!(row.len(), sdks[0].len());
    }
    assert_eq!(sdks[2][3], "Aurora Mobile (极光)");
    assert_eq!(sdks[2][12], "https://www.jiguang.cn/push");

    let mut permissions = Vec::new();
    write_permission_matrix_csv(facts, &mut permissions).unwrap();
    let permissions = parse_csv(&String::from_utf8(permissions).unwrap());
    assert_eq!(permissions.len(), 1 + facts.permissions.requested.len());
    assert_eq!(
        permissions[0],
        [
            "name",
            "element",
            "max_sdk",
            "group",
            "special",
            "protection_level",
            "pi_types",
            "used",
            "used_by"
        ]
    );
    for (row, permission) in permissions[1..].iter().zip(&facts.permissions.requested) {
        assert_eq!(row.len(), permissions[0].len());
        assert_eq!(row[0], permission.name);
    }
    let storage = permissions
        .iter()
        .find(|r| r[0] == "android.permission.WRITE_EXTERNAL_STORAGE")
        .unwrap();
    assert_eq!(storage[2], "28");
    assert_eq!(storage[3], "storage");
    let overlay = permissions
        .iter()
        .find(|r| r[0] == "android.permission.SYSTEM_ALERT_WINDOW")
        .unwrap();
    assert_eq!(overlay[4], "overlay");
    let camera = permissions
        .iter()
        .find(|r| r[0] == "android.permission.CAMERA")
        .unwrap();
    assert_eq!(camera[1], "uses-permission-sdk-23");
    assert_eq!(camera[7], "no");
}

#[test]
fn per_app_tables_guard_hostile_strings() {
    let facts = hostile();
    for write in [
        write_sdk_table_csv,
        write_permission_matrix_csv,
        write_sdk_list_csv,
    ] {
        let mut out = Vec::new();
        write(&facts, &mut out).unwrap();
        let records = parse_csv(&String::from_utf8(out).unwrap());
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].len(), records[1].len());
        for cell in &records[1] {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "unguarded {cell:?}"
            );
        }
    }
}

#[test]
fn the_reader_reads_what_it_should() {
    assert_eq!(
        parse_csv("\u{feff}a,\"b,\"\"c\"\"\",\n\"x\ny\",,\n"),
        [vec!["a", "b,\"c\"", ""], vec!["x\ny", "", ""]]
    );
}

/// Every CSV writer starts with the UTF-8 byte-order mark, once, so that a spreadsheet reads
/// Chinese names as UTF-8; nothing else starts with it.
#[test]
fn every_csv_starts_with_one_byte_order_mark() {
    let facts = demo();
    let mut outputs: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut long = CsvWriter::new(Vec::new()).unwrap();
    long.write_app(facts).unwrap();
    long.write_app(facts).unwrap();
    outputs.push(("long table", long.finish().unwrap()));
    let mut batch = SdkListCsvWriter::new(Vec::new()).unwrap();
    batch.write_app(facts).unwrap();
    batch.write_failure("x.apk", "io", "gone").unwrap();
    batch.write_app(facts).unwrap();
    outputs.push(("batch SDK list", batch.finish().unwrap()));
    for (name, write) in [
        (
            "SDK table",
            write_sdk_table_csv as fn(&_, &mut dyn std::io::Write) -> _,
        ),
        ("permission matrix", write_permission_matrix_csv),
        ("SDK list", write_sdk_list_csv),
    ] {
        let mut out = Vec::new();
        write(facts, &mut out).unwrap();
        outputs.push((name, out));
    }
    let mut summary = Summary::new();
    summary.add_app(facts);
    let mut out = Vec::new();
    summary.write_csv(&mut out).unwrap();
    outputs.push(("summary", out));
    for (name, bytes) in outputs {
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with(UTF8_BOM), "{name}: {text:?}");
        assert_eq!(text.matches(UTF8_BOM).count(), 1, "{name}");
        // The Chinese names are there, as UTF-8 (the SDK list names the legal entity).
        if name == "SDK list" || name == "batch SDK list" {
            assert!(
                text.contains("深圳市和讯华谷信息技术有限公司"),
                "{name}: {text}"
            );
        } else if name.contains("SDK") || name == "long table" {
            assert!(text.contains("极光推送"), "{name}: {text}");
        }
        parse_csv(&text);
    }
}

/// A batch's SDK list is one table: one header, the app columns, a row per SDK per app, a row
/// per failed input.
#[test]
fn a_batch_sdk_list_is_one_table() {
    let facts = demo();
    let mut writer = SdkListCsvWriter::new(Vec::new()).unwrap();
    writer.write_app(facts).unwrap();
    writer
        .write_failure("broken.apk", "not_apk", "not an APK")
        .unwrap();
    writer.write_app(facts).unwrap();
    let records = parse_csv(&String::from_utf8(writer.finish().unwrap()).unwrap());
    let columns = sdk_list_batch_columns(Lang::En);
    assert_eq!(records[0], columns);
    assert!(records.iter().all(|r| r.len() == columns.len()));
    let sdks = facts.sdks.len();
    assert!(sdks > 0);
    assert_eq!(records.len(), 1 + 2 * sdks + 1);
    for record in records[1..=sdks].iter().chain(&records[sdks + 2..]) {
        assert_eq!(record[0], facts.input.path);
        assert_eq!(record[1], facts.app.package.clone().unwrap());
        assert_eq!(record[2], facts.app.version_name.clone().unwrap());
        assert_eq!(record[3], facts.input.sha256);
        assert!(!record[4].is_empty());
        assert_eq!(record[12..], ["", ""]);
    }
    let failure = &records[sdks + 1];
    assert_eq!(failure[0], "broken.apk");
    assert!(failure[1..12].iter().all(String::is_empty), "{failure:?}");
    assert_eq!(failure[12..], ["not_apk", "not an APK"]);
}
