//! The third-party SDK list Chinese regulators expect an app to publish (第三方SDK共享清单):
//! SDK, vendor, purpose, personal information collected, permissions.

use std::io::{self, Write};

use apkscope_facts::{AppFacts, SdkFacts};

use crate::csv::{write_header, write_record};

/// Column headers, bilingual as the lists are usually published.
const HEADERS: [&str; 6] = [
    "SDK 名称 (SDK)",
    "第三方公司 (Vendor)",
    "类别 (Category)",
    "使用目的 (Purpose)",
    "收集个人信息 (Personal information)",
    "涉及权限 (Permissions)",
];

fn row(sdk: &SdkFacts) -> [String; 6] {
    let name = match &sdk.name_zh {
        Some(zh) if *zh != sdk.name => format!("{zh} ({})", sdk.name),
        _ => sdk.name.clone(),
    };
    let short = |p: &String| p.rsplit('.').next().unwrap_or(p).to_owned();
    [
        name,
        sdk.vendor.clone().unwrap_or_default(),
        sdk.category.clone(),
        sdk.purpose.clone(),
        sdk.pi_types.join(", "),
        sdk.permissions
            .iter()
            .map(short)
            .collect::<Vec<_>>()
            .join(", "),
    ]
}

/// Writes the SDK list as a Markdown table.
pub fn write_sdk_list_markdown(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    let app = facts
        .app
        .label
        .as_deref()
        .or(facts.app.package.as_deref())
        .unwrap_or("app");
    writeln!(out, "# 第三方SDK清单 / Third-party SDKs — {app}\n")?;
    writeln!(out, "| {} |", HEADERS.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(HEADERS.len()))?;
    for sdk in &facts.sdks {
        let cells: Vec<String> = row(sdk).iter().map(|c| markdown_cell(c)).collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    writeln!(
        out,
        "\nPersonal information and permissions are what each SDK's code can reach in this build \
         (static analysis by apkscope), not what it was observed to collect."
    )
}

/// Writes the section of an input that could not be analysed, for the SDK lists of a batch:
/// a heading naming the input, and why.
pub fn write_sdk_list_markdown_failure(
    path: &str,
    kind: &str,
    message: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "# 第三方SDK清单 / Third-party SDKs — {}\n",
        markdown_cell(path)
    )?;
    writeln!(
        out,
        "未能分析 / Not analysed (`{}`): {}",
        markdown_cell(kind),
        markdown_cell(message)
    )
}

/// Writes one app's SDK list as CSV: the byte-order mark, the header, one row per SDK (RFC
/// 4180 quoting, formula-guarded cells: see [`crate::CsvWriter`]). A batch uses
/// [`SdkListCsvWriter`] instead.
pub fn write_sdk_list_csv(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_header(out, &HEADERS)?;
    for sdk in &facts.sdks {
        let cells = row(sdk);
        write_record(out, &cells.each_ref().map(String::as_str))?;
    }
    Ok(())
}

/// Columns of [`SdkListCsvWriter`]: the input and the app, the SDK list's columns, then the
/// error of an input that could not be analysed.
pub const SDK_LIST_BATCH_COLUMNS: [&str; 12] = [
    "文件 (Input)",
    "包名 (Package)",
    "版本 (Version name)",
    "SHA-256",
    HEADERS[0],
    HEADERS[1],
    HEADERS[2],
    HEADERS[3],
    HEADERS[4],
    HEADERS[5],
    "错误类型 (Error kind)",
    "错误信息 (Error)",
];

/// Streams the SDK lists of a batch as one CSV table: the byte-order mark and one header
/// ([`SDK_LIST_BATCH_COLUMNS`]), then rows.
///
/// Each row starts with the input's path, the app's package, version name and SHA-256, then
/// the SDK list's six columns, then the error kind and message. An app gets one row per SDK,
/// or one row with empty SDK cells when it has none (so every app is listed); an input that
/// could not be analysed gets one row with its path, error kind and message. Quoting and the
/// formula guard are [`crate::CsvWriter`]'s.
///
/// # Example
///
/// ```
/// use apkscope_facts::{AppFacts, InputFacts};
/// use apkscope_report::SdkListCsvWriter;
///
/// let facts = AppFacts::new(InputFacts { path: "a.apk".into(), ..InputFacts::default() });
/// let mut writer = SdkListCsvWriter::new(Vec::new()).unwrap();
/// writer.write_app(&facts).unwrap();
/// writer.write_failure("b.apk", "not_apk", "not a zip").unwrap();
/// let csv = String::from_utf8(writer.finish().unwrap()).unwrap();
/// let lines: Vec<&str> = csv.lines().collect();
/// assert_eq!(lines.len(), 3);
/// assert!(lines[0].starts_with("\u{feff}文件 (Input),包名 (Package),"));
/// assert_eq!(lines[1], "a.apk,,,,,,,,,,,");
/// assert_eq!(lines[2], "b.apk,,,,,,,,,,not_apk,not a zip");
/// ```
#[derive(Debug)]
pub struct SdkListCsvWriter<W: Write> {
    out: W,
}

impl<W: Write> SdkListCsvWriter<W> {
    /// Writes the byte-order mark and the header row and returns a writer for the rows.
    pub fn new(mut out: W) -> io::Result<Self> {
        write_header(&mut out, &SDK_LIST_BATCH_COLUMNS)?;
        Ok(Self { out })
    }

    /// Writes the rows of one app: one per SDK, or one with empty SDK cells.
    pub fn write_app(&mut self, facts: &AppFacts) -> io::Result<()> {
        let app = [
            facts.input.path.as_str(),
            facts.app.package.as_deref().unwrap_or_default(),
            facts.app.version_name.as_deref().unwrap_or_default(),
            facts.input.sha256.as_str(),
        ];
        let mut rows: Vec<[String; HEADERS.len()]> = facts.sdks.iter().map(row).collect();
        if rows.is_empty() {
            rows.push(Default::default());
        }
        for sdk in rows {
            let mut cells: Vec<&str> = Vec::with_capacity(SDK_LIST_BATCH_COLUMNS.len());
            cells.extend(app);
            cells.extend(sdk.iter().map(String::as_str));
            cells.extend(["", ""]);
            write_record(&mut self.out, &cells)?;
        }
        Ok(())
    }

    /// Writes the row of an input that could not be analysed.
    pub fn write_failure(&mut self, path: &str, kind: &str, message: &str) -> io::Result<()> {
        let mut cells = [""; SDK_LIST_BATCH_COLUMNS.len()];
        let [input, .., error_kind, error_message] = &mut cells;
        *input = path;
        *error_kind = kind;
        *error_message = message;
        write_record(&mut self.out, &cells)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

fn markdown_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::InputFacts;

    fn facts() -> AppFacts {
        let mut facts = AppFacts::new(InputFacts::default());
        facts.app.package = Some("com.example".into());
        facts.sdks.push(SdkFacts {
            id: "jpush".into(),
            name: "JPush".into(),
            name_zh: Some("极光推送".into()),
            vendor: Some("Aurora Mobile, Inc.".into()),
            category: "push".into(),
            purpose: "Push \"notifications\"".into(),
            pi_types: vec!["imsi".into(), "serial".into()],
            permissions: vec!["android.permission.READ_PHONE_STATE".into()],
            ..SdkFacts::default()
        });
        facts
    }

    #[test]
    fn markdown_table_has_a_row_per_sdk() {
        let mut out = Vec::new();
        write_sdk_list_markdown(&facts(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("| 极光推送 (JPush) | Aurora Mobile, Inc. | push |"));
        assert!(text.contains("| imsi, serial | READ_PHONE_STATE |"));
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = Vec::new();
        write_sdk_list_csv(&facts(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("\u{feff}SDK 名称 (SDK),"));
        assert!(lines[1].starts_with(
            "极光推送 (JPush),\"Aurora Mobile, Inc.\",push,\"Push \"\"notifications\"\"\","
        ));
    }

    #[test]
    fn a_batch_is_one_table_with_app_columns_and_failures() {
        let mut writer = SdkListCsvWriter::new(Vec::new()).unwrap();
        let mut app = facts();
        app.input.path = "apps/a.apk".into();
        app.input.sha256 = "ab".repeat(32);
        app.app.version_name = Some("1.0".into());
        writer.write_app(&app).unwrap();
        writer.write_app(&app).unwrap();
        writer
            .write_failure("apps/b.apk", "not_apk", "not a zip, says the reader")
            .unwrap();
        let text = String::from_utf8(writer.finish().unwrap()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert_eq!(text.matches("SDK 名称").count(), 1, "one header");
        let sha = "ab".repeat(32);
        assert!(
            lines[1].starts_with(&format!(
                "apps/a.apk,com.example,1.0,{sha},极光推送 (JPush),"
            )),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].ends_with(",\"imsi, serial\",READ_PHONE_STATE,,"),
            "{}",
            lines[1]
        );
        assert_eq!(
            lines[3],
            "apps/b.apk,,,,,,,,,,not_apk,\"not a zip, says the reader\""
        );
    }

    #[test]
    fn a_failure_has_its_markdown_section() {
        let mut out = Vec::new();
        write_sdk_list_markdown_failure("a|b.apk", "not_apk", "not a zip", &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("# 第三方SDK清单 / Third-party SDKs — a\\|b.apk\n"));
        assert!(
            text.contains("Not analysed (`not_apk`): not a zip"),
            "{text}"
        );
    }
}
