//! Validation of apkscope's outputs against their JSON Schemas.
//!
//! The schemas are compiled into the test binary from the repository (`schemas/`), compiled
//! once per process and never fetch anything: the SARIF schema is the official OASIS file in
//! `schemas/third-party/`, the report and failure schemas are generated from the
//! `apkscope-facts` types (a test there keeps the committed files current).
//!
//! ```
//! let log = serde_json::json!({"version": "2.1.0", "runs": []});
//! apkscope_testkit::schema::validate_sarif(&log).unwrap();
//! let err = apkscope_testkit::schema::validate_sarif(&serde_json::json!({"runs": 1})).unwrap_err();
//! assert!(err.contains("/runs"), "{err}");
//! ```

use std::fmt::Write as _;
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::Value;

const SARIF_SCHEMA: &str = include_str!("../../../schemas/third-party/sarif-schema-2.1.0.json");
const REPORT_SCHEMA: &str = include_str!("../../../schemas/report.schema.json");
const FAILURE_SCHEMA: &str = include_str!("../../../schemas/failure.schema.json");
const CYCLONEDX_SCHEMA: &str =
    include_str!("../../../schemas/third-party/cyclonedx/bom-1.6.SNAPSHOT.schema.json");
/// The schemas the CycloneDX schema references, by the address its `$id` resolves them to.
const CYCLONEDX_REFERENCED: &[(&str, &str)] = &[
    (
        "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
        include_str!("../../../schemas/third-party/cyclonedx/spdx.SNAPSHOT.schema.json"),
    ),
    (
        "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
        include_str!("../../../schemas/third-party/cyclonedx/jsf-0.82.SNAPSHOT.schema.json"),
    ),
];

/// The SARIF 2.1.0 schema's `run.language` pattern ends in a stray `]` (an erratum, fixed in
/// SARIF 2.1.0 Errata 01; oasis-tcs/sarif-spec#490). Read with ECMA-262's legacy rules, as its
/// authors meant, a lone `]` is a literal; the validator checks patterns strictly and refuses to
/// compile the schema. Escaping that `]` keeps the meaning exactly; the file stays untouched.
const SARIF_ERRATA: &[(&str, &str)] = &[(
    r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$""#,
    r#""^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}\\]?$""#,
)];

/// Longest text kept from one violation: a violation at the root quotes the whole instance.
const MAX_MESSAGE_CHARS: usize = 400;

/// Validates a SARIF log against the OASIS SARIF 2.1.0 schema (draft-07), formats included.
pub fn validate_sarif(log: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<Result<Validator, String>> = OnceLock::new();
    validate(
        &VALIDATOR,
        "sarif-schema-2.1.0.json",
        SARIF_SCHEMA,
        SARIF_ERRATA,
        log,
    )
}

/// Validates a scan report (`AppFacts` as JSON) against `schemas/report.schema.json`.
pub fn validate_report(report: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<Result<Validator, String>> = OnceLock::new();
    validate(&VALIDATOR, "report.schema.json", REPORT_SCHEMA, &[], report)
}

/// Validates a failure record (`ScanFailure` as JSON) against `schemas/failure.schema.json`.
pub fn validate_failure(record: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<Result<Validator, String>> = OnceLock::new();
    validate(
        &VALIDATOR,
        "failure.schema.json",
        FAILURE_SCHEMA,
        &[],
        record,
    )
}

/// Validates a CycloneDX document against the official CycloneDX 1.6 JSON schema (draft-07,
/// with the SPDX and JSF schemas it references), formats included.
pub fn validate_cyclonedx(bom: &Value) -> Result<(), String> {
    static VALIDATOR: OnceLock<Result<Validator, String>> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(compile_cyclonedx).as_ref()?;
    report("bom-1.6.schema.json", validator, bom)
}

fn compile_cyclonedx() -> Result<Validator, String> {
    let mut registry = jsonschema::Registry::new();
    for (uri, text) in CYCLONEDX_REFERENCED {
        let schema: Value =
            serde_json::from_str(text).map_err(|err| format!("{uri} is not JSON: {err}"))?;
        registry = registry
            .add(*uri, schema)
            .map_err(|err| format!("{uri}: {err}"))?;
    }
    let registry = registry.prepare().map_err(|err| err.to_string())?;
    let schema: Value = serde_json::from_str(CYCLONEDX_SCHEMA)
        .map_err(|err| format!("bom-1.6.schema.json is not JSON: {err}"))?;
    jsonschema::options()
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&schema)
        .map_err(|err| format!("bom-1.6.schema.json does not compile: {err}"))
}

fn validate(
    cell: &OnceLock<Result<Validator, String>>,
    name: &str,
    source: &str,
    errata: &[(&str, &str)],
    instance: &Value,
) -> Result<(), String> {
    let validator = cell
        .get_or_init(|| compile(name, source, errata))
        .as_ref()?;
    report(name, validator, instance)
}

fn report(name: &str, validator: &Validator, instance: &Value) -> Result<(), String> {
    let mut violations = String::new();
    let mut count = 0usize;
    for error in validator.iter_errors(instance) {
        count += 1;
        let path = error.instance_path().to_string();
        let path = if path.is_empty() { "/" } else { path.as_str() };
        let _ = writeln!(
            violations,
            "  {path}: {} (schema {})",
            truncate(&error.to_string()),
            error.schema_path()
        );
    }
    if count == 0 {
        Ok(())
    } else {
        Err(format!("{count} violation(s) of {name}:\n{violations}"))
    }
}

fn compile(name: &str, source: &str, errata: &[(&str, &str)]) -> Result<Validator, String> {
    let mut source = source.to_owned();
    for (wrong, right) in errata {
        if !source.contains(wrong) {
            return Err(format!(
                "{name} no longer contains {wrong}: drop that erratum from crates/testkit"
            ));
        }
        source = source.replace(wrong, right);
    }
    let schema: Value =
        serde_json::from_str(&source).map_err(|err| format!("{name} is not JSON: {err}"))?;
    // Draft from the schema's own `$schema` (draft-07 for SARIF, 2020-12 for ours); formats are
    // asserted so that URIs and date-times are checked too.
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|err| format!("{name} does not compile: {err}"))
}

fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or(text)),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sarif_schema_is_the_official_draft_07_file() {
        let schema: Value = serde_json::from_str(SARIF_SCHEMA).unwrap();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert!(
            schema["title"]
                .as_str()
                .unwrap()
                .contains("SARIF) Version 2.1.0")
        );
        assert_eq!(schema["definitions"].as_object().unwrap().len(), 52);
        assert!(SARIF_SCHEMA.lines().count() > 3000);
    }

    #[test]
    fn every_violation_is_listed_with_its_path() {
        let log = json!({
            "version": "2.0.0",
            "runs": [{"tool": {"driver": {}}, "results": [{"message": {"text": "x"}, "level": "loud"}]}]
        });
        let err = validate_sarif(&log).unwrap_err();
        assert!(err.contains("/version"), "{err}");
        assert!(err.contains("/runs/0/tool/driver"), "{err}");
        assert!(err.contains("/runs/0/results/0/level"), "{err}");
    }

    #[test]
    fn formats_are_checked() {
        let log = json!({
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {"name": "t"}},
                "artifacts": [{"location": {"uri": "a b.apk"}}]
            }]
        });
        let err = validate_sarif(&log).unwrap_err();
        assert!(err.contains("/runs/0/artifacts/0/location/uri"), "{err}");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "é".repeat(MAX_MESSAGE_CHARS * 2);
        assert_eq!(truncate(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(truncate("short"), "short");
    }
}
