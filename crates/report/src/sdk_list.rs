//! The third-party sharing list Chinese regulators expect an app to publish
//! (第三方信息共享清单): for each embedded SDK, the third party (its legal entity), the SDK,
//! the purpose and usage scene, how the information is shared (the SDK collects it on the
//! device), the personal information and permissions its code reaches, and its privacy policy.
//!
//! What apkscope fills is what static analysis shows; the purpose and scene come from the
//! SDK's category and are a draft for the app's developer to confirm.

use std::io::{self, Write};

use apkscope_facts::{AppFacts, SdkFacts};

use crate::csv::{write_header, write_record};
use crate::locale::{Lang, label, tr};
use crate::text::pi_label;

/// Columns of the list.
const COLUMNS: usize = 8;

/// The list's column headers in `lang`.
pub fn sdk_list_headers(lang: Lang) -> [&'static str; COLUMNS] {
    [
        tr(lang, "Third party"),
        tr(lang, "SDK"),
        tr(lang, "Purpose"),
        tr(lang, "Usage scene"),
        tr(lang, "Sharing method"),
        tr(lang, "Personal information"),
        tr(lang, "Permissions"),
        tr(lang, "Privacy policy"),
    ]
}

fn row(facts: &AppFacts, sdk: &SdkFacts, lang: Lang) -> [String; COLUMNS] {
    let name = match (&sdk.name_zh, lang) {
        (Some(zh), Lang::Zh) if *zh != sdk.name => format!("{zh} ({})", sdk.name),
        _ => sdk.name.clone(),
    };
    let third_party = match (&sdk.legal_entity, &sdk.vendor) {
        (Some(entity), _) => entity.clone(),
        (None, Some(vendor)) => vendor.clone(),
        (None, None) => tr(lang, "unknown vendor").to_owned(),
    };
    let purpose = match lang {
        Lang::En => sdk.purpose.clone(),
        Lang::Zh => label(lang, "category", &sdk.category).to_owned(),
    };
    let short = |p: &String| p.rsplit('.').next().unwrap_or(p).to_owned();
    let separator = match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    };
    [
        third_party,
        name,
        purpose,
        label(lang, "scene", &sdk.category).to_owned(),
        tr(lang, "the SDK collects it on the device").to_owned(),
        sdk.pi_types
            .iter()
            .map(|t| pi_label(facts, lang, t))
            .collect::<Vec<_>>()
            .join(separator),
        sdk.permissions
            .iter()
            .map(short)
            .collect::<Vec<_>>()
            .join(", "),
        sdk.privacy_policy.clone().unwrap_or_default(),
    ]
}

fn app_name(facts: &AppFacts) -> &str {
    facts
        .app
        .label
        .as_deref()
        .or(facts.app.package.as_deref())
        .unwrap_or("app")
}

/// Writes the list as a Markdown table, in English.
pub fn write_sdk_list_markdown(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_sdk_list_markdown_in(facts, Lang::En, out)
}

/// Writes the list as a Markdown table, in `lang`.
pub fn write_sdk_list_markdown_in(
    facts: &AppFacts,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "# {} — {}\n",
        tr(lang, "Third-party sharing list"),
        markdown_cell(app_name(facts))
    )?;
    let headers = sdk_list_headers(lang);
    writeln!(out, "| {} |", headers.join(" | "))?;
    writeln!(out, "|{}", "---|".repeat(headers.len()))?;
    for sdk in &facts.sdks {
        let cells: Vec<String> = row(facts, sdk, lang)
            .iter()
            .map(|c| markdown_cell(c))
            .collect();
        writeln!(out, "| {} |", cells.join(" | "))?;
    }
    writeln!(
        out,
        "\n{}",
        tr(
            lang,
            "Personal information and permissions are what each SDK's code can reach in this build (static analysis by apkscope), not what it was observed to collect; purposes and scenes follow each SDK's category and are for the app's developer to confirm."
        )
    )
}

/// Writes the section of an input that could not be analysed, in English.
pub fn write_sdk_list_markdown_failure(
    path: &str,
    kind: &str,
    message: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    write_sdk_list_markdown_failure_in(path, kind, message, Lang::En, out)
}

/// Writes the section of an input that could not be analysed, for the SDK lists of a batch:
/// a heading naming the input, and why.
pub fn write_sdk_list_markdown_failure_in(
    path: &str,
    kind: &str,
    message: &str,
    lang: Lang,
    out: &mut dyn Write,
) -> io::Result<()> {
    writeln!(
        out,
        "# {} — {}\n",
        tr(lang, "Third-party sharing list"),
        markdown_cell(path)
    )?;
    writeln!(
        out,
        "{} (`{}`): {}",
        tr(lang, "Not analysed"),
        markdown_cell(kind),
        markdown_cell(message)
    )
}

/// Writes one app's list as CSV, in English.
pub fn write_sdk_list_csv(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_sdk_list_csv_in(facts, Lang::En, out)
}

/// Writes one app's list as CSV in `lang`: the byte-order mark, the header, one row per SDK
/// (RFC 4180 quoting, formula-guarded cells: see [`crate::CsvWriter`]). A batch uses
/// [`SdkListCsvWriter`] instead.
pub fn write_sdk_list_csv_in(facts: &AppFacts, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    write_header(out, &sdk_list_headers(lang))?;
    for sdk in &facts.sdks {
        let cells = row(facts, sdk, lang);
        write_record(out, &cells.each_ref().map(String::as_str))?;
    }
    Ok(())
}

/// Number of columns of [`SdkListCsvWriter`].
const BATCH_COLUMNS: usize = COLUMNS + 6;

/// Columns of [`SdkListCsvWriter`] in `lang`: the input and the app, the list's columns, then
/// the error of an input that could not be analysed.
pub fn sdk_list_batch_columns(lang: Lang) -> [&'static str; BATCH_COLUMNS] {
    let h = sdk_list_headers(lang);
    [
        tr(lang, "Input"),
        tr(lang, "Package"),
        tr(lang, "Version name"),
        "SHA-256",
        h[0],
        h[1],
        h[2],
        h[3],
        h[4],
        h[5],
        h[6],
        h[7],
        tr(lang, "Error kind"),
        tr(lang, "Error"),
    ]
}

/// Streams the SDK lists of a batch as one CSV table: the byte-order mark and one header
/// ([`sdk_list_batch_columns`]), then rows.
///
/// Each row starts with the input's path, the app's package, version name and SHA-256, then
/// the list's columns, then the error kind and message. An app gets one row per SDK, or one
/// row with empty SDK cells when it has none (so every app is listed); an input that could not
/// be analysed gets one row with its path, error kind and message. Quoting and the formula
/// guard are [`crate::CsvWriter`]'s.
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
/// assert!(lines[0].starts_with("\u{feff}Input,Package,"));
/// assert_eq!(lines[1], "a.apk,,,,,,,,,,,,,");
/// assert_eq!(lines[2], "b.apk,,,,,,,,,,,,not_apk,not a zip");
/// ```
#[derive(Debug)]
pub struct SdkListCsvWriter<W: Write> {
    out: W,
    lang: Lang,
}

impl<W: Write> SdkListCsvWriter<W> {
    /// Writes the byte-order mark and the English header row and returns a writer for the
    /// rows.
    pub fn new(out: W) -> io::Result<Self> {
        Self::new_in(out, Lang::En)
    }

    /// Writes the byte-order mark and the header row in `lang` and returns a writer for the
    /// rows.
    pub fn new_in(mut out: W, lang: Lang) -> io::Result<Self> {
        write_header(&mut out, &sdk_list_batch_columns(lang))?;
        Ok(Self { out, lang })
    }

    /// Writes the rows of one app: one per SDK, or one with empty SDK cells.
    pub fn write_app(&mut self, facts: &AppFacts) -> io::Result<()> {
        let app = [
            facts.input.path.as_str(),
            facts.app.package.as_deref().unwrap_or_default(),
            facts.app.version_name.as_deref().unwrap_or_default(),
            facts.input.sha256.as_str(),
        ];
        let mut rows: Vec<[String; COLUMNS]> = facts
            .sdks
            .iter()
            .map(|sdk| row(facts, sdk, self.lang))
            .collect();
        if rows.is_empty() {
            rows.push(Default::default());
        }
        for sdk in rows {
            let mut cells: Vec<&str> = Vec::with_capacity(BATCH_COLUMNS);
            cells.extend(app);
            cells.extend(sdk.iter().map(String::as_str));
            cells.extend(["", ""]);
            write_record(&mut self.out, &cells)?;
        }
        Ok(())
    }

    /// Writes the row of an input that could not be analysed.
    pub fn write_failure(&mut self, path: &str, kind: &str, message: &str) -> io::Result<()> {
        let mut cells = [""; BATCH_COLUMNS];
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
    use apkscope_facts::{InputFacts, PiTypeFacts};

    fn facts() -> AppFacts {
        let mut facts = AppFacts::new(InputFacts::default());
        facts.app.package = Some("com.example".into());
        facts.sdks.push(SdkFacts {
            id: "jpush".into(),
            name: "JPush".into(),
            name_zh: Some("极光推送".into()),
            vendor: Some("Aurora Mobile, Inc.".into()),
            legal_entity: Some("深圳市和讯华谷信息技术有限公司".into()),
            privacy_policy: Some("https://www.jiguang.cn/license/privacy".into()),
            category: "push".into(),
            purpose: "Push \"notifications\"".into(),
            pi_types: vec!["imsi".into(), "serial".into()],
            permissions: vec!["android.permission.READ_PHONE_STATE".into()],
            ..SdkFacts::default()
        });
        facts.pi_types.push(PiTypeFacts {
            id: "imsi".into(),
            name: "IMSI (subscriber identifier)".into(),
            name_zh: "国际移动用户识别码（IMSI）".into(),
            ..PiTypeFacts::default()
        });
        facts
    }

    #[test]
    fn markdown_table_has_a_row_per_sdk_in_either_language() {
        let mut out = Vec::new();
        write_sdk_list_markdown_in(&facts(), Lang::Zh, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("# 第三方信息共享清单 — com.example\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "| 深圳市和讯华谷信息技术有限公司 | 极光推送 (JPush) | 消息推送 | 向用户推送消息时 | \
                 SDK 本机采集 | 国际移动用户识别码（IMSI）、serial | READ_PHONE_STATE | \
                 https://www.jiguang.cn/license/privacy |"
            ),
            "{text}"
        );
        let mut out = Vec::new();
        write_sdk_list_markdown(&facts(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("# Third-party sharing list — com.example\n"),
            "{text}"
        );
        assert!(text.contains("| Third party | SDK | Purpose |"), "{text}");
        assert!(
            text.contains("| IMSI (subscriber identifier), serial | READ_PHONE_STATE |"),
            "{text}"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let mut out = Vec::new();
        write_sdk_list_csv(&facts(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("\u{feff}Third party,SDK,Purpose,"));
        assert!(
            lines[1].starts_with(
                "深圳市和讯华谷信息技术有限公司,JPush,\"Push \"\"notifications\"\"\","
            ),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn a_batch_is_one_table_with_app_columns_and_failures() {
        let mut writer = SdkListCsvWriter::new_in(Vec::new(), Lang::Zh).unwrap();
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
        assert_eq!(text.matches("第三方名称").count(), 1, "one header");
        let sha = "ab".repeat(32);
        assert!(
            lines[1].starts_with(&format!(
                "apps/a.apk,com.example,1.0,{sha},深圳市和讯华谷信息技术有限公司,极光推送 (JPush),"
            )),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].ends_with(",READ_PHONE_STATE,https://www.jiguang.cn/license/privacy,,"),
            "{}",
            lines[1]
        );
        assert_eq!(
            lines[3],
            "apps/b.apk,,,,,,,,,,,,not_apk,\"not a zip, says the reader\""
        );
    }

    #[test]
    fn a_failure_has_its_markdown_section() {
        let mut out = Vec::new();
        write_sdk_list_markdown_failure("a|b.apk", "not_apk", "not a zip", &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.starts_with("# Third-party sharing list — a\\|b.apk\n"),
            "{text}"
        );
        assert!(
            text.contains("Not analysed (`not_apk`): not a zip"),
            "{text}"
        );
    }
}
