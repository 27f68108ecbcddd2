//! CSV for spreadsheets: one long table for a batch, and per-app SDK and permission tables.
//!
//! The rules (columns, quoting, formula guard) are documented on [`CsvWriter`], which the
//! crate re-exports, so that they show in the public documentation.

use std::borrow::Cow;
use std::io::{self, Write};

use apkscope_facts::{AppFacts, RequestedPermission, SdkFacts};

/// The UTF-8 byte-order mark every CSV file and stream of apkscope starts with, so that
/// spreadsheets read it as UTF-8 (see [`CsvWriter`]).
pub const UTF8_BOM: &str = "\u{feff}";

/// Columns of the long table written by [`CsvWriter`], in order.
pub const CSV_COLUMNS: [&str; 21] = [
    "apk_path",
    "sha256",
    "package",
    "version_name",
    "record",
    "id",
    "name",
    "name_zh",
    "vendor",
    "category",
    "purpose",
    "group",
    "special",
    "protection_level",
    "pi_types",
    "permissions",
    "used",
    "used_by",
    "classes",
    "native_libs",
    "message",
];

/// Streams CSV rows for one app or a batch; a header once, then rows per app.
///
/// # Quoting
///
/// Cells follow RFC 4180: a cell holding a comma, a double quote, CR or LF is wrapped in double
/// quotes, with inner quotes doubled. Rows end with LF (every spreadsheet and CSV library reads
/// it). Every CSV apkscope writes starts with a UTF-8 byte-order mark ([`UTF8_BOM`]): without it
/// Excel reads a CSV file in the system's legacy code page and garbles Chinese SDK and app
/// names; CSV libraries and spreadsheets other than Excel skip it (Python:
/// `encoding="utf-8-sig"`).
///
/// Every string comes from an untrusted APK, so cells are also guarded against formula
/// injection: a cell that starts with `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, which
/// spreadsheets show as text instead of evaluating (`=HYPERLINK(…)` becomes `'=HYPERLINK(…)`).
/// The guard changes the value a CSV library reads back; strip one leading `'` to recover it.
/// Lists inside a cell are joined with `; `.
///
/// # The long table
///
/// One fixed header, written once, then rows per app, so a batch streams and a spreadsheet can
/// filter on `record` and pivot. Every row starts with the app columns; columns that do not
/// apply to a record are empty.
///
/// | column | `app` | `sdk` | `permission` | `error` |
/// |---|---|---|---|---|
/// | `apk_path` | input path | input path | input path | input path |
/// | `sha256` | file hash | file hash | file hash | |
/// | `package` | package | package | package | |
/// | `version_name` | version name | version name | version name | |
/// | `record` | `app` | `sdk` | `permission` | `error` |
/// | `id` | | SDK id (`jpush`) | permission name | failure kind (`io`, `not_apk` …) |
/// | `name` | app label | SDK name | | |
/// | `name_zh` | | Chinese name | | |
/// | `vendor` | | vendor | | |
/// | `category` | | category (`push` …) | | |
/// | `purpose` | | purpose | | |
/// | `group` | | | TC260 permission group | |
/// | `special` | | | special-permission class | |
/// | `protection_level` | | | platform protection level | |
/// | `pi_types` | | PI types its code reaches | PI types it guards | |
/// | `permissions` | | requested permissions its code needs | | |
/// | `used` | | | `yes`, `no` or `unknown` | |
/// | `used_by` | | | SDK ids, `app`, `unattributed` | |
/// | `classes` | | classes under its prefixes | | |
/// | `native_libs` | | its native libraries | | |
/// | `message` | | | | why the input failed |
///
/// Each scanned app gets one `app` row first (so apps with no SDK and no permission still show
/// up and `record = app` counts the apps), then one `sdk` row per SDK and one `permission` row
/// per requested permission, in report order. A failed input gets one `error` row.
///
/// # Example
///
/// ```
/// use apkscope_facts::{AppFacts, InputFacts};
/// use apkscope_report::CsvWriter;
///
/// let mut facts = AppFacts::new(InputFacts { path: "a.apk".into(), ..InputFacts::default() });
/// facts.app.label = Some("=HYPERLINK(\"http://evil.example\")".into());
/// let mut writer = CsvWriter::new(Vec::new()).unwrap();
/// writer.write_app(&facts).unwrap();
/// writer.write_failure("b.apk", "not_apk", "not a zip").unwrap();
/// let csv = String::from_utf8(writer.finish().unwrap()).unwrap();
/// let lines: Vec<&str> = csv.lines().collect();
/// assert!(lines[0].starts_with("\u{feff}apk_path,sha256,package,version_name,record,id,name,"));
/// assert!(lines[1].starts_with("a.apk,,,,app,,\"'=HYPERLINK(\"\"http://evil.example\"\")\","));
/// assert!(lines[2].starts_with("b.apk,,,,error,not_apk,"));
/// assert!(lines[2].ends_with(",not a zip"));
/// ```
#[derive(Debug)]
pub struct CsvWriter<W: Write> {
    out: W,
}

impl<W: Write> CsvWriter<W> {
    /// Writes the byte-order mark and the header row and returns a writer for the rows.
    pub fn new(mut out: W) -> io::Result<Self> {
        write_header(&mut out, &CSV_COLUMNS)?;
        Ok(Self { out })
    }

    /// Writes the `app` row, then one `sdk` row per SDK and one `permission` row per requested
    /// permission of `facts`.
    pub fn write_app(&mut self, facts: &AppFacts) -> io::Result<()> {
        let path = facts.input.path.as_str();
        let sha256 = facts.input.sha256.as_str();
        let package = facts.app.package.as_deref().unwrap_or_default();
        let version = facts.app.version_name.as_deref().unwrap_or_default();
        let label = facts.app.label.as_deref().unwrap_or_default();

        let mut row = LongRow::new(path, "app");
        row.set_app(sha256, package, version);
        row.name = label.into();
        self.write_row(&row)?;

        for sdk in &facts.sdks {
            let mut row = LongRow::new(path, "sdk");
            row.set_app(sha256, package, version);
            row.set_sdk(sdk);
            self.write_row(&row)?;
        }
        for permission in &facts.permissions.requested {
            let mut row = LongRow::new(path, "permission");
            row.set_app(sha256, package, version);
            row.set_permission(permission);
            self.write_row(&row)?;
        }
        Ok(())
    }

    /// Writes the `error` row of an input that could not be analysed.
    pub fn write_failure(&mut self, path: &str, kind: &str, message: &str) -> io::Result<()> {
        let mut row = LongRow::new(path, "error");
        row.id = kind.into();
        row.message = message.into();
        self.write_row(&row)
    }

    /// Flushes and returns the underlying writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_row(&mut self, row: &LongRow<'_>) -> io::Result<()> {
        write_record(&mut self.out, &row.cells())
    }
}

/// One row of the long table; cells borrow from the facts where they can.
#[derive(Default)]
struct LongRow<'a> {
    apk_path: &'a str,
    sha256: &'a str,
    package: &'a str,
    version_name: &'a str,
    record: &'a str,
    id: Cow<'a, str>,
    name: Cow<'a, str>,
    name_zh: &'a str,
    vendor: &'a str,
    category: &'a str,
    purpose: &'a str,
    group: &'a str,
    special: &'a str,
    protection_level: &'a str,
    pi_types: String,
    permissions: String,
    used: &'a str,
    used_by: String,
    classes: String,
    native_libs: String,
    message: Cow<'a, str>,
}

impl<'a> LongRow<'a> {
    fn new(apk_path: &'a str, record: &'a str) -> Self {
        Self {
            apk_path,
            record,
            ..Self::default()
        }
    }

    fn set_app(&mut self, sha256: &'a str, package: &'a str, version_name: &'a str) {
        self.sha256 = sha256;
        self.package = package;
        self.version_name = version_name;
    }

    fn set_sdk(&mut self, sdk: &'a SdkFacts) {
        self.id = sdk.id.as_str().into();
        self.name = sdk.name.as_str().into();
        self.name_zh = sdk.name_zh.as_deref().unwrap_or_default();
        self.vendor = sdk.vendor.as_deref().unwrap_or_default();
        self.category = &sdk.category;
        self.purpose = &sdk.purpose;
        self.pi_types = join(&sdk.pi_types);
        self.permissions = join(&sdk.permissions);
        self.classes = sdk.evidence.classes.to_string();
        self.native_libs = join(&sdk.evidence.native_libs);
    }

    fn set_permission(&mut self, permission: &'a RequestedPermission) {
        self.id = permission.name.as_str().into();
        self.group = permission.group.as_deref().unwrap_or_default();
        self.special = permission.special.as_deref().unwrap_or_default();
        self.protection_level = permission.protection_level.as_deref().unwrap_or_default();
        self.pi_types = join(&permission.pi_types);
        self.used = used_word(permission.used);
        self.used_by = join(&permission.used_by);
    }

    fn cells(&self) -> [&str; CSV_COLUMNS.len()] {
        [
            self.apk_path,
            self.sha256,
            self.package,
            self.version_name,
            self.record,
            &self.id,
            &self.name,
            self.name_zh,
            self.vendor,
            self.category,
            self.purpose,
            self.group,
            self.special,
            self.protection_level,
            &self.pi_types,
            &self.permissions,
            self.used,
            &self.used_by,
            &self.classes,
            &self.native_libs,
            &self.message,
        ]
    }
}

/// Columns of [`write_sdk_table_csv`].
const SDK_TABLE_COLUMNS: [&str; 14] = [
    "id",
    "name",
    "name_zh",
    "vendor",
    "category",
    "purpose",
    "pi_types",
    "permissions",
    "classes",
    "native_libs",
    "components",
    "domains",
    "homepage",
    "privacy_policy",
];

/// Writes the app's SDKs as a CSV file: a header, then one row per SDK in report order.
///
/// Columns: `id, name, name_zh, vendor, category, purpose, pi_types` (PI types its code
/// reaches), `permissions` (requested permissions its code needs), `classes` (count),
/// `native_libs, components, domains` (evidence), `homepage, privacy_policy`. Quoting as for
/// [`CsvWriter`].
pub fn write_sdk_table_csv(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_header(out, &SDK_TABLE_COLUMNS)?;
    for sdk in &facts.sdks {
        let evidence = &sdk.evidence;
        let classes = evidence.classes.to_string();
        let (pi_types, permissions) = (join(&sdk.pi_types), join(&sdk.permissions));
        let (libs, components) = (join(&evidence.native_libs), join(&evidence.components));
        let domains = join(&evidence.domains);
        let row: [&str; SDK_TABLE_COLUMNS.len()] = [
            &sdk.id,
            &sdk.name,
            sdk.name_zh.as_deref().unwrap_or_default(),
            sdk.vendor.as_deref().unwrap_or_default(),
            &sdk.category,
            &sdk.purpose,
            &pi_types,
            &permissions,
            &classes,
            &libs,
            &components,
            &domains,
            sdk.homepage.as_deref().unwrap_or_default(),
            sdk.privacy_policy.as_deref().unwrap_or_default(),
        ];
        write_record(out, &row)?;
    }
    Ok(())
}

/// Columns of [`write_permission_matrix_csv`].
const PERMISSION_TABLE_COLUMNS: [&str; 9] = [
    "name",
    "element",
    "max_sdk",
    "group",
    "special",
    "protection_level",
    "pi_types",
    "used",
    "used_by",
];

/// Writes the app's requested permissions as a CSV file: a header, then one row per requested
/// permission in manifest order.
///
/// Columns: `name, element` (`uses-permission` or `uses-permission-sdk-23`), `max_sdk`,
/// `group` (TC260), `special`, `protection_level`, `pi_types`, `used` (`yes`, `no` or `unknown`),
/// `used_by` (SDK ids, `app`, `unattributed`). Quoting as for [`CsvWriter`].
pub fn write_permission_matrix_csv(facts: &AppFacts, out: &mut dyn Write) -> io::Result<()> {
    write_header(out, &PERMISSION_TABLE_COLUMNS)?;
    for permission in &facts.permissions.requested {
        let max_sdk = permission
            .max_sdk
            .map(|v| v.to_string())
            .unwrap_or_default();
        let (pi_types, used_by) = (join(&permission.pi_types), join(&permission.used_by));
        let row: [&str; PERMISSION_TABLE_COLUMNS.len()] = [
            &permission.name,
            &permission.element,
            &max_sdk,
            permission.group.as_deref().unwrap_or_default(),
            permission.special.as_deref().unwrap_or_default(),
            permission.protection_level.as_deref().unwrap_or_default(),
            &pi_types,
            used_word(permission.used),
            &used_by,
        ];
        write_record(out, &row)?;
    }
    Ok(())
}

/// Starts a CSV file or stream: the byte-order mark, then the header row.
pub(crate) fn write_header(out: &mut dyn Write, columns: &[&str]) -> io::Result<()> {
    out.write_all(UTF8_BOM.as_bytes())?;
    write_record(out, columns)
}

/// Writes one CSV row: each cell quoted and formula-guarded, LF at the end.
pub(crate) fn write_record(out: &mut dyn Write, cells: &[&str]) -> io::Result<()> {
    let mut line = String::new();
    for (i, text) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&cell(text));
    }
    line.push('\n');
    out.write_all(line.as_bytes())
}

/// One CSV cell: formula-guarded, then quoted per RFC 4180 when it needs it.
pub(crate) fn cell(text: &str) -> Cow<'_, str> {
    let guarded: Cow<'_, str> = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\"")).into()
    } else {
        guarded
    }
}

fn join(items: &[String]) -> String {
    items.join("; ")
}

fn used_word(used: Option<bool>) -> &'static str {
    match used {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_guarded() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell(""), "");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"a\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"a\"\")\""
        );
        assert_eq!(cell("a=b"), "a=b");
    }

    #[test]
    fn used_is_a_word() {
        assert_eq!(used_word(Some(true)), "yes");
        assert_eq!(used_word(Some(false)), "no");
        assert_eq!(used_word(None), "unknown");
    }
}
