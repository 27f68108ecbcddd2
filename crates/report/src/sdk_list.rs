//! The third-party SDK list Chinese regulators expect an app to publish (第三方SDK共享清单):
//! SDK, vendor, purpose, personal information collected, permissions.

use std::io::{self, Write};

use apkscope_facts::{AppFacts, SdkFacts};

use crate::csv::write_record;

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

/// Writes the SDK list as CSV (RFC 4180 quoting, formula-guarded cells: see [`crate::CsvWriter`]).
pub fn write_sdk_list_csv(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_record(out, &HEADERS)?;
    for sdk in &facts.sdks {
        let cells = row(sdk);
        write_record(out, &cells.each_ref().map(String::as_str))?;
    }
    Ok(())
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
        assert!(lines[1].starts_with(
            "极光推送 (JPush),\"Aurora Mobile, Inc.\",push,\"Push \"\"notifications\"\"\","
        ));
    }
}
