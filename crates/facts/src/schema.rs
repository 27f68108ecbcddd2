//! JSON Schemas of the report and of the failure record, generated from the types.
//!
//! The committed copies in `schemas/` at the repository root are what consumers read; the test
//! below regenerates them and fails when they drift from the types.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::{AppFacts, SCHEMA_VERSION, ScanFailure};

/// JSON Schema (2020-12) of a scan report: [`AppFacts`] as the JSON writer serialises it.
pub fn report_schema() -> Schema {
    schema_of::<AppFacts>(
        "report.schema.json",
        "apkscope scan report",
        "The report apkscope writes for one scanned app (`scan --format json`, or one line of a \
         batch JSON Lines file). Field names and meanings are stable within a `schema_version`",
    )
}

/// JSON Schema (2020-12) of a failure record: [`ScanFailure`], the line a batch writes instead of
/// a report when an input could not be analysed.
pub fn failure_schema() -> Schema {
    schema_of::<ScanFailure>(
        "failure.schema.json",
        "apkscope scan failure",
        "The record a batch writes instead of a report when an input could not be analysed; a \
         line of a batch JSON Lines file is either a report (with `app`) or this record (with \
         `error`). Field names and meanings are stable within a `schema_version`",
    )
}

fn schema_of<T: JsonSchema>(file: &str, title: &str, description: &str) -> Schema {
    // The serialise contract: a field the writer always emits is required, one it may skip is
    // not, whatever the deserialiser would accept.
    let mut schema = SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let id = format!(
        "{}/schemas/{file}",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    );
    schema.insert("$id".to_owned(), Value::String(id));
    schema.insert("title".to_owned(), Value::String(title.to_owned()));
    schema.insert(
        "description".to_owned(),
        Value::String(format!(
            "{description} (this schema describes `schema_version` \"{SCHEMA_VERSION}\")."
        )),
    );
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    /// Set to `1` to rewrite the committed schemas from the types instead of comparing.
    const BLESS: &str = "APKSCOPE_BLESS";

    fn committed(file: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../schemas")
            .join(file)
    }

    fn check(file: &str, schema: &Schema) {
        let path = committed(file);
        let mut generated = serde_json::to_string_pretty(schema).unwrap();
        generated.push('\n');
        if std::env::var(BLESS).is_ok_and(|v| v == "1") {
            std::fs::write(&path, &generated).unwrap();
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        // Compared as values: key order may follow serde_json's `preserve_order` feature, which
        // another crate in the build can switch on.
        let on_disk: Value = serde_json::from_str(&on_disk).unwrap_or(Value::Null);
        assert!(
            on_disk == schema.clone().to_value(),
            "{} is out of date with the types in crates/facts; regenerate it with \
             `APKSCOPE_BLESS=1 cargo test -p apkscope-facts schema` and commit the result",
            path.display()
        );
    }

    #[test]
    fn report_schema_matches_the_committed_file() {
        check("report.schema.json", &report_schema());
    }

    #[test]
    fn failure_schema_matches_the_committed_file() {
        check("failure.schema.json", &failure_schema());
    }

    #[test]
    fn schemas_name_themselves_and_skip_the_code_index() {
        let report = report_schema().to_value();
        assert_eq!(
            report["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(
            report["$id"]
                .as_str()
                .unwrap()
                .ends_with("/schemas/report.schema.json")
        );
        let properties = report["properties"].as_object().unwrap();
        assert!(properties.contains_key("schema_version"));
        assert!(properties.contains_key("findings"));
        assert!(!properties.contains_key("code_index"));
        let required = report["required"].as_array().unwrap();
        assert!(required.contains(&Value::from("schema_version")));
        let failure = failure_schema().to_value();
        assert!(failure["properties"]["error"].is_object());
    }

    #[test]
    fn doc_comments_become_descriptions() {
        let report = report_schema().to_value();
        let finding = &report["$defs"]["Finding"];
        assert_eq!(
            finding["properties"]["rule"]["description"],
            "Check id, e.g. `PERM001`."
        );
    }
}
