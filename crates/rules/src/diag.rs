//! Diagnostics: every problem of a rule pack, with a stable code and a place in a file.
//!
//! `apkscope rules validate` prints them all at once, like a compiler. Codes starting with `E`
//! are errors (the pack does not compile); codes starting with `W` are warnings.

use std::fmt;

/// Stable diagnostic codes. Each constant's doc says what triggers it, with an example.
pub mod codes {
    /// A file could not be read. (`rules/x.toml` is not valid UTF-8, or unreadable.)
    pub const IO: &str = "E000";
    /// TOML syntax error. (`id = "a` — unterminated string.)
    pub const SYNTAX: &str = "E001";
    /// A key the format does not define. (`vendor_url = "…"` in an `[[sdk]]`; a top-level
    /// `[[rule]]` table.)
    pub const UNKNOWN_FIELD: &str = "E002";
    /// A required key is missing. (an `[[sdk]]` without `references`.)
    pub const MISSING_FIELD: &str = "E003";
    /// A value of the wrong type or outside the vocabulary. (`category = "tracking"`,
    /// `added_in = "1"`.)
    pub const INVALID_VALUE: &str = "E004";
    /// Two entries share an id (SDK, API and check ids share one namespace), also across packs
    /// merged with `--rules`.
    pub const DUPLICATE_ID: &str = "E010";
    /// Two `[[permission]]` tables share a name.
    pub const DUPLICATE_PERMISSION: &str = "E011";
    /// An id is malformed: SDK and API ids are lowercase `[a-z0-9-]` (`JPush` is not), check ids
    /// are upper-case letters then digits (`PERM001`).
    pub const BAD_ID: &str = "E012";
    /// A check name is not kebab-case or starts with `disallow-`.
    pub const BAD_CHECK_NAME: &str = "E013";
    /// `since` is not a version such as `0.1`.
    pub const BAD_SINCE: &str = "E014";
    /// A permission sets both `group` and `special`.
    pub const GROUP_AND_SPECIAL: &str = "E020";
    /// A protection level outside Android's bases and flags (`dangerous|sometimes`).
    pub const BAD_PROTECTION_LEVEL: &str = "E021";
    /// A permission name is not a dotted name of at least two segments.
    pub const BAD_PERMISSION_NAME: &str = "E022";
    /// API levels out of order: `deprecated_in < added_in`, `min_sdk > max_sdk`, or 0.
    pub const BAD_API_LEVEL: &str = "E023";
    /// Check parameters wrong for the check's kind (unknown or missing key, wrong value).
    pub const BAD_PARAMS: &str = "E024";
    /// A class prefix is not a dotted Java name (`cn/jpush/`, `cn..jpush.`).
    pub const BAD_PREFIX: &str = "E030";
    /// A class prefix has fewer than two segments (`jpush.`).
    pub const SHORT_PREFIX: &str = "E031";
    /// A package prefix does not end with `.` (`com.mob`; a class-name prefix ends with an
    /// upper-case segment such as `com.mob.MobSDK`).
    pub const PREFIX_NO_DOT: &str = "E032";
    /// A package prefix too generic to name one SDK (`com.google.`).
    pub const GENERIC_PREFIX: &str = "E033";
    /// The same class prefix, component, action or native-library pattern is claimed by two
    /// SDKs: attribution would be ambiguous.
    pub const CLAIMED_TWICE: &str = "E034";
    /// A component name is not a dotted class name.
    pub const BAD_COMPONENT: &str = "E035";
    /// An intent action is empty or contains white space.
    pub const BAD_ACTION: &str = "E036";
    /// A native-library pattern is malformed: a path, a glob character other than `*`, or too
    /// little literal text (`lib*.so`).
    pub const BAD_NATIVE_LIB: &str = "E037";
    /// A domain is not a lowercase host name of at least two labels (`JPush.cn`, `*.jpush.cn`,
    /// `https://jpush.cn`).
    pub const BAD_DOMAIN: &str = "E038";
    /// A packer's `asset_files` pattern is not a relative entry path under `assets/`, uses a
    /// glob character other than `*`, or has too little literal text in its file name.
    pub const BAD_ASSET: &str = "E039";
    /// A method signature is malformed (`Landroid/telephony/TelephonyManager;->getDeviceId()`
    /// lacks the return type).
    pub const BAD_METHOD_SIGNATURE: &str = "E040";
    /// A field signature is malformed (`Landroid/os/Build;->SERIAL` lacks `:Type`).
    pub const BAD_FIELD_SIGNATURE: &str = "E041";
    /// A string API is empty, or a content-uri API is not `content://authority…`.
    pub const BAD_STRING_SIGNATURE: &str = "E042";
    /// A `[[secret]]` prefix or meta-data name is unusable: shorter than three characters,
    /// not printable ASCII, or (meta-data) containing white space.
    pub const BAD_SECRET_PATTERN: &str = "E043";
    /// A `[[secret]]` shape is missing, partial or insane: `prefixes` without `charset`,
    /// `min_len` and `max_len`, a shape on a meta-data-only entry, `min_len > max_len`, a run
    /// longer than 1024, or fewer than 8 characters for any charset but `pem-label`.
    pub const BAD_SECRET_SHAPE: &str = "E044";
    /// `references` is empty or holds an empty string.
    pub const NO_REFERENCES: &str = "E050";
    /// A required text (`title`, `what`, `why`, `example`, `remediation`, `name`, `purpose`) is
    /// empty.
    pub const EMPTY_TEXT: &str = "E051";
    /// A `[[packer]]` has no evidence at all (no application class, class prefix, native
    /// library or asset file): it can never be detected.
    pub const PACKER_WITHOUT_EVIDENCE: &str = "E052";
    /// A `[[secret]]` has neither `prefixes` nor `meta_data`, or both: it must say exactly
    /// one way to recognise it.
    pub const SECRET_WITHOUT_PATTERN: &str = "E053";
    /// The pack cannot be compiled for a reason outside any one entry: too many entries, or an
    /// automaton over its limits.
    pub const TOO_LARGE: &str = "E099";
    /// A test names an id that is not in the pack.
    pub const UNKNOWN_TEST_RULE: &str = "E060";
    /// A test fixture path is empty, absolute or climbs out with `..`.
    pub const BAD_FIXTURE: &str = "E061";
    /// An SDK has no signature at all (no prefix, component, action, library or domain): it can
    /// never be detected.
    pub const SDK_WITHOUT_SIGNATURE: &str = "W001";
    /// The same value appears twice in one list.
    pub const DUPLICATE_VALUE: &str = "W002";
    /// A domain is claimed by two SDKs (shared hosts exist, so this is only a warning).
    pub const DOMAIN_CLAIMED_TWICE: &str = "W003";
    /// A permission is referenced (by an API or a check) but not defined by a
    /// `[[permission]]` table.
    pub const UNKNOWN_PERMISSION: &str = "W004";
    /// Two APIs have the same kind, signature and personal-information type.
    pub const DUPLICATE_API: &str = "W005";

    /// Every code, for documentation and tests.
    pub const ALL: &[&str] = &[
        IO,
        SYNTAX,
        UNKNOWN_FIELD,
        MISSING_FIELD,
        INVALID_VALUE,
        DUPLICATE_ID,
        DUPLICATE_PERMISSION,
        BAD_ID,
        BAD_CHECK_NAME,
        BAD_SINCE,
        GROUP_AND_SPECIAL,
        BAD_PROTECTION_LEVEL,
        BAD_PERMISSION_NAME,
        BAD_API_LEVEL,
        BAD_PARAMS,
        BAD_PREFIX,
        SHORT_PREFIX,
        PREFIX_NO_DOT,
        GENERIC_PREFIX,
        CLAIMED_TWICE,
        BAD_COMPONENT,
        BAD_ACTION,
        BAD_NATIVE_LIB,
        BAD_DOMAIN,
        BAD_ASSET,
        BAD_METHOD_SIGNATURE,
        BAD_FIELD_SIGNATURE,
        BAD_STRING_SIGNATURE,
        BAD_SECRET_PATTERN,
        BAD_SECRET_SHAPE,
        NO_REFERENCES,
        EMPTY_TEXT,
        PACKER_WITHOUT_EVIDENCE,
        SECRET_WITHOUT_PATTERN,
        UNKNOWN_TEST_RULE,
        BAD_FIXTURE,
        TOO_LARGE,
        SDK_WITHOUT_SIGNATURE,
        DUPLICATE_VALUE,
        DOMAIN_CLAIMED_TWICE,
        UNKNOWN_PERMISSION,
        DUPLICATE_API,
    ];
}

/// Whether a diagnostic stops the pack from compiling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The pack does not compile.
    Error,
    /// Reported; the pack still compiles.
    Warning,
}

impl Level {
    fn of_code(code: &str) -> Self {
        if code.starts_with('W') {
            Self::Warning
        } else {
            Self::Error
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

/// A place in a rule file: 1-based line and column (columns count characters).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Location {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// One problem in a rule pack.
///
/// `Display` renders it like a compiler, with the offending source line and a caret:
///
/// ```text
/// error[E033]: class prefix `com.google.` is too generic to name one SDK
///  --> sdks/x.toml:7:19 (sdk.class_prefixes[0])
///   |
/// 7 | class_prefixes = ["com.google."]
///   |                   ^^^^^^^^^^^^^
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file, as given to the loader.
    pub file: String,
    /// 1-based line; 0 when unknown.
    pub line: u32,
    /// 1-based column in characters; 0 when unknown.
    pub column: u32,
    /// Stable code (`E001`, `W002`), see [`codes`].
    pub code: &'static str,
    /// Error or warning (derived from the code).
    pub level: Level,
    /// Where in the entry: `kind.key[index]` (`sdk.class_prefixes[2]`), empty when the
    /// problem is the whole file.
    pub field: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// The source line the diagnostic points at (empty when unknown), and the caret width.
    pub snippet: String,
    /// Width of the caret under the snippet, in characters (at least 1 when there's a snippet).
    pub width: u32,
}

impl Diagnostic {
    /// A diagnostic at `loc`, without a source snippet.
    pub fn new(
        code: &'static str,
        loc: Location,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            file: loc.file,
            line: loc.line,
            column: loc.column,
            code,
            level: Level::of_code(code),
            field: field.into(),
            message: message.into(),
            snippet: String::new(),
            width: 0,
        }
    }

    /// Builds a diagnostic for byte range `span` of `text`, with line, column and snippet.
    pub(crate) fn at(
        code: &'static str,
        file: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let mut d = Self::new(
            code,
            Location {
                file: file.to_owned(),
                ..Location::default()
            },
            field,
            message,
        );
        if let Some(span) = span {
            let (line, column, snippet, width) = locate(text, span);
            d.line = line;
            d.column = column;
            d.snippet = snippet;
            d.width = width;
        }
        d
    }

    /// Whether this is an error (not a warning).
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// The place it points at.
    pub fn location(&self) -> Location {
        Location {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}[{}]: {}", self.level, self.code, self.message)?;
        let loc = self.location();
        if self.field.is_empty() {
            write!(f, " --> {loc}")?;
        } else {
            write!(f, " --> {loc} ({})", self.field)?;
        }
        if !self.snippet.is_empty() {
            let num = self.line.to_string();
            let pad = " ".repeat(num.len());
            let indent = " ".repeat(usize::try_from(self.column.saturating_sub(1)).unwrap_or(0));
            let carets = "^".repeat(usize::try_from(self.width.max(1)).unwrap_or(1));
            write!(
                f,
                "\n{pad} |\n{num} | {}\n{pad} | {indent}{carets}",
                self.snippet
            )?;
        }
        Ok(())
    }
}

/// Renders diagnostics one after the other, separated by blank lines, with a summary line.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    use fmt::Write as _;
    let mut out = String::new();
    for d in diagnostics {
        let _ = writeln!(out, "{d}\n");
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len().saturating_sub(errors);
    let _ = writeln!(out, "{errors} error(s), {warnings} warning(s)");
    out
}

/// 1-based line and character column of byte offset `span.start`, the text of that line, and
/// the span's width in characters clipped to the line. Offsets past the end or inside a
/// character are clamped.
pub(crate) fn locate(text: &str, span: std::ops::Range<usize>) -> (u32, u32, String, u32) {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start = start.saturating_sub(1);
    }
    let before = text.get(..start).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line_no = before.matches('\n').count().saturating_add(1);
    let rest = text.get(line_start..).unwrap_or("");
    let line_text = rest.split('\n').next().unwrap_or("").trim_end_matches('\r');
    let column = text
        .get(line_start..start)
        .map_or(0, |s| s.chars().count())
        .saturating_add(1);
    let line_end = line_start.saturating_add(line_text.len());
    let mut end = span.end.clamp(start, line_end);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    let width = text.get(start..end).map_or(0, |s| s.chars().count()).max(1);
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    (
        to_u32(line_no),
        to_u32(column),
        line_text.to_owned(),
        to_u32(width),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_lines_and_columns() {
        let text = "a = 1\nname = \"极光\"\nx = 2";
        assert_eq!(locate(text, 0..1), (1, 1, "a = 1".into(), 1));
        let off = text.find("\"极").unwrap();
        assert_eq!(
            locate(text, off..off + 8),
            (2, 8, "name = \"极光\"".into(), 4)
        );
        let off = text.find('x').unwrap();
        assert_eq!(locate(text, off..off + 100).0, 3);
        // Out of range is clamped, never panics.
        assert_eq!(locate(text, 1000..2000).0, 3);
        #[expect(
            clippy::reversed_empty_ranges,
            reason = "a reversed span must not panic"
        )]
        let reversed = 5..3;
        assert_eq!(locate("", reversed), (1, 1, String::new(), 1));
    }

    #[test]
    fn codes_are_unique_and_levelled() {
        let mut seen = std::collections::HashSet::new();
        for c in codes::ALL {
            assert!(seen.insert(*c), "{c} twice");
            assert_eq!(c.len(), 4);
        }
        assert_eq!(Level::of_code(codes::DUPLICATE_VALUE), Level::Warning);
        assert_eq!(Level::of_code(codes::SYNTAX), Level::Error);
    }

    #[test]
    fn renders_with_caret() {
        let text = "[[sdk]]\nclass_prefixes = [\"com.google.\"]\n";
        let off = text.find("\"com").unwrap();
        let d = Diagnostic::at(
            codes::GENERIC_PREFIX,
            "x.toml",
            text,
            Some(off..off + 13),
            "sdk.class_prefixes[0]",
            "too generic",
        );
        assert_eq!(
            d.to_string(),
            "error[E033]: too generic\n --> x.toml:2:19 (sdk.class_prefixes[0])\n  |\n2 | \
             class_prefixes = [\"com.google.\"]\n  |                   ^^^^^^^^^^^^^"
        );
    }
}
