//! Renders an app's facts for people and programs.
//!
//! # Overview
//!
//! Reports never parse: they take [`AppFacts`] from the engine and write them in one format.
//! JSON is deterministic (field order fixed by the schema, no timestamps), so the same input and
//! the same tool version give byte-identical output.
//!
//! # Example
//!
//! ```
//! use apkscope_facts::{AppFacts, InputFacts};
//!
//! let facts = AppFacts::new(InputFacts { path: "a.apk".into(), sha256: String::new(), size: 3 });
//! let mut out = Vec::new();
//! apkscope_report::write_json(&facts, &mut out).unwrap();
//! assert!(String::from_utf8(out).unwrap().contains("\"path\": \"a.apk\""));
//! ```

mod classes;
mod csv;
mod cyclonedx;
pub mod diff;
mod explain;
mod html;
mod locale;
mod network;
mod sarif;
mod sdk_list;
mod summary;
mod text;

use std::io::{self, Write};

use apkscope_facts::AppFacts;

pub use classes::{write_classes_json, write_classes_text};
pub use csv::{CSV_COLUMNS, CsvWriter, UTF8_BOM, write_permission_matrix_csv, write_sdk_table_csv};
pub use cyclonedx::{cyclonedx, write_cyclonedx};
pub use diff::Diff;
pub use explain::{write_explanation_json, write_explanation_text};
pub use html::{HtmlWriter, write_html};
pub use locale::{Lang, label, tr};
pub use sarif::{RuleDescriptor, SarifWriter, write_sarif, write_sarif_in};
pub use sdk_list::{
    SdkListCsvWriter, sdk_list_batch_columns, sdk_list_headers, write_sdk_list_csv,
    write_sdk_list_csv_in, write_sdk_list_markdown, write_sdk_list_markdown_failure,
    write_sdk_list_markdown_failure_in, write_sdk_list_markdown_in,
};
pub use summary::{
    FAILURE_EXAMPLES, MAX_PERMISSION_NAMES, OTHER_PERMISSIONS, OWN_PACKAGE, SUMMARY_KIND,
    SUMMARY_SCHEMA_VERSION, Summary, TOP_APPS,
};

/// Writes `facts` as pretty-printed JSON followed by a newline.
pub fn write_json(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, facts)?;
    out.write_all(b"\n")
}

/// Writes `facts` as a human-readable text summary.
pub fn write_text(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render_text(facts).as_bytes())
}

/// Renders `facts` as a human-readable text summary, in English.
pub fn render_text(facts: &AppFacts) -> String {
    text::render_text(facts, Lang::En)
}

/// Writes `facts` as a human-readable text summary in `lang`.
pub fn write_text_in(facts: &AppFacts, lang: Lang, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(text::render_text(facts, lang).as_bytes())
}

/// Renders `facts` as a human-readable text summary in `lang`.
pub fn render_text_in(facts: &AppFacts, lang: Lang) -> String {
    text::render_text(facts, lang)
}

#[cfg(test)]
mod tests {
    use super::*;
    use apkscope_facts::{Component, InputFacts, RequestedPermission};

    fn sample() -> AppFacts {
        let mut facts = AppFacts::new(InputFacts {
            path: "x.apk".into(),
            sha256: "ab".into(),
            size: 9,
        });
        facts.app.package = Some("com.example".into());
        facts.permissions.requested.push(RequestedPermission {
            name: "android.permission.CAMERA".into(),
            max_sdk: Some(28),
            element: "uses-permission".into(),
            ..RequestedPermission::default()
        });
        facts.manifest.components.push(Component {
            kind: "activity".into(),
            name: "com.example.Main".into(),
            exported: true,
            ..Component::default()
        });
        facts
    }

    #[test]
    fn json_is_deterministic() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        write_json(&sample(), &mut a).unwrap();
        write_json(&sample(), &mut b).unwrap();
        assert_eq!(a, b);
        let value: serde_json::Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(value["app"]["package"], "com.example");
    }

    #[test]
    fn text_shows_permissions_and_components() {
        let text = render_text(&sample());
        assert!(text.contains("android.permission.CAMERA  (up to API 28)"));
        assert!(text.contains("com.example.Main  [exported (implicit)]"));
        assert_eq!(text.matches("Anomalies (").count(), 1);
    }
}
