//! Diagnostics: every problem of a rule pack, with a stable code and a place in a file.
//!
//! `apkscope rules validate` prints them all at once, like a compiler. Codes starting with `E`
//! are errors (the pack does not compile); codes starting with `W` are warnings.

use std::fmt;
use std::ops::Range;

use crate::pack::SourceFile;

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
    /// `added_in = "1"`, `exodus_id = 0`, an SDK `homepage` or `privacy_policy` that is not an
    /// `http(s)://` address.)
    pub const INVALID_VALUE: &str = "E004";
    /// Two entries share an id (SDK, API and check ids share one namespace), also across packs
    /// merged with `--rules`; or two checks share a `name`.
    pub const DUPLICATE_ID: &str = "E010";
    /// Two `[[permission]]` tables share a name.
    pub const DUPLICATE_PERMISSION: &str = "E011";
    /// An id is malformed: SDK and API ids are lowercase `[a-z0-9-]` (`JPush` is not), check ids
    /// are upper-case letters then three digits (`PERM001`; not `PERM1`).
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
    /// API levels out of order or out of range: `deprecated_in < added_in`, `min_sdk >
    /// max_sdk`, 0, or above the highest level the format accepts (`added_in = 230`).
    pub const BAD_API_LEVEL: &str = "E023";
    /// Check parameters wrong for the check's kind (unknown or missing key, wrong value, or an
    /// empty list such as `pi_types = []`, which means the same as leaving the key out).
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
    /// An intent action is not a dotted name of at least two segments (`two words`), or is a
    /// platform action (`android.intent.action.BOOT_COMPLETED`), which names no SDK.
    pub const BAD_ACTION: &str = "E036";
    /// A native-library pattern is malformed: a path, a glob character other than `*`, too
    /// little literal text (`lib*.so`), or not `lib….so` (the package manager installs only
    /// such files from an APK's `lib/<abi>/`).
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
    /// empty, or an optional one is given empty (an SDK's `name_zh = ""`).
    pub const EMPTY_TEXT: &str = "E051";
    /// A `references` entry names nothing the pack defines. A check must cite a
    /// `[[reference]]` or a `[[source]]` by its id (`认定方法:2.1`); other tables may also cite
    /// `<source>:<anything>` (`android:Manifest.permission#READ_SMS`) or a web address.
    pub const UNKNOWN_REFERENCE: &str = "E054";
    /// A `[[reference]]` names a `source` that no `[[source]]` table defines.
    pub const UNKNOWN_SOURCE: &str = "E055";
    /// Two `pi-api-used` checks would report the same fact: their owners (`by`) and their PI
    /// types overlap (`by = "any"` with no `pi_types` overlaps every other such check).
    pub const OVERLAPPING_CHECKS: &str = "E056";
    /// A date is not `YYYY-MM-DD`.
    pub const BAD_DATE: &str = "E057";
    /// An SDK does not say who makes it (`vendor`), or a curated Chinese SDK (one with a
    /// `name_zh`) does not name its legal entity (`legal_entity`) or its privacy policy
    /// (`privacy_policy`): the third-party sharing list (第三方信息共享清单) an app publishes
    /// needs them. (An `[[sdk]]` with `name_zh = "极光推送"` and no `legal_entity`.)
    pub const SDK_WITHOUT_VENDOR: &str = "E058";
    /// A `[[message]]`'s placeholders are malformed (an unclosed `{`, an empty name) or its
    /// two texts do not use the same placeholder names.
    pub const BAD_MESSAGE: &str = "E059";
    /// A `[[packer]]` has no evidence at all (no application class, class prefix, native
    /// library or asset file): it can never be detected.
    pub const PACKER_WITHOUT_EVIDENCE: &str = "E052";
    /// A `[[secret]]` has neither `prefixes` nor `meta_data`, or both: it must say exactly
    /// one way to recognise it.
    pub const SECRET_WITHOUT_PATTERN: &str = "E053";
    /// The pack cannot be compiled or read for a reason outside any one entry: a rule file
    /// larger than [`MAX_RULE_FILE_BYTES`](crate::MAX_RULE_FILE_BYTES), a folder of rule files
    /// larger than [`MAX_PACK_BYTES`](crate::MAX_PACK_BYTES), too many entries, or an automaton
    /// over its limits.
    pub const TOO_LARGE: &str = "E099";
    /// More errors than one list of diagnostics shows
    /// ([`MAX_DIAGNOSTICS`](crate::MAX_DIAGNOSTICS)): this last diagnostic counts the errors
    /// left out. (20,000 `[[sdk]]` tables sharing one id.)
    pub const MORE_ERRORS: &str = "E098";
    /// A test names an id that is not in the pack.
    pub const UNKNOWN_TEST_RULE: &str = "E060";
    /// A test fixture path is empty, absolute or climbs out with `..`.
    pub const BAD_FIXTURE: &str = "E061";
    /// An SDK's string markers are too weak to name it: fewer than two, one shorter than eight
    /// characters, or a `strings_min` below 2 or above their number. (`strings = ["init"]`.)
    pub const WEAK_SDK_STRINGS: &str = "E062";
    /// An SDK version source names no location or several (`field`, `method`, `string_prefix`,
    /// `native_lib`), a malformed member, or an expression that does not compile (a
    /// `native_lib` expression needs a capture group).
    pub const BAD_VERSION_SOURCE: &str = "E063";
    /// Two SDKs have the same name, or one SDK's class prefix lies inside another vendor's SDK
    /// prefix with no SDK-specific reason: one SDK is reported under two ids.
    pub const SDK_OVERLAP: &str = "E064";
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
    /// The pack describes some personal-information types (`[[pi_type]]`) but not this one:
    /// findings about it fall back to the check's severity and English code.
    pub const MISSING_PI_TYPE: &str = "W006";
    /// A check has no `[check.zh]` texts: `--lang zh` reports show its English title and
    /// explanations.
    pub const MISSING_TRANSLATION: &str = "W008";
    /// More warnings than one list of diagnostics shows
    /// ([`MAX_DIAGNOSTICS`](crate::MAX_DIAGNOSTICS)): this last diagnostic counts the warnings
    /// left out. (one class prefix listed 20,000 times.)
    pub const MORE_WARNINGS: &str = "W098";

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
        UNKNOWN_REFERENCE,
        UNKNOWN_SOURCE,
        OVERLAPPING_CHECKS,
        BAD_DATE,
        SDK_WITHOUT_VENDOR,
        BAD_MESSAGE,
        PACKER_WITHOUT_EVIDENCE,
        SECRET_WITHOUT_PATTERN,
        UNKNOWN_TEST_RULE,
        BAD_FIXTURE,
        WEAK_SDK_STRINGS,
        BAD_VERSION_SOURCE,
        SDK_OVERLAP,
        TOO_LARGE,
        MORE_ERRORS,
        SDK_WITHOUT_SIGNATURE,
        DUPLICATE_VALUE,
        DOMAIN_CLAIMED_TWICE,
        UNKNOWN_PERMISSION,
        DUPLICATE_API,
        MISSING_PI_TYPE,
        MISSING_TRANSLATION,
        MORE_WARNINGS,
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
    /// The source line the diagnostic points at (empty when unknown, or when the line is longer
    /// than [`MAX_SNIPPET_BYTES`]), and the caret width.
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

    /// Builds a diagnostic for byte range `span` of `file`, with line, column and snippet.
    pub(crate) fn at(
        code: &'static str,
        file: &SourceFile,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let mut d = Self::new(
            code,
            Location {
                file: file.name.clone(),
                ..Location::default()
            },
            field,
            message,
        );
        if let Some(span) = span {
            let (line, column, snippet, width) = file.locate(span);
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

/// Most diagnostics one list keeps: [`Pack::load`](crate::Pack::load) and
/// [`Pack::validate`](crate::Pack::validate) each return at most this many (the first ones in
/// their order), then one [`codes::MORE_ERRORS`] and one [`codes::MORE_WARNINGS`] diagnostic
/// counting the rest. A hostile pack can raise a problem per value; nobody reads the
/// twenty-thousandth, and keeping them all would cost memory in proportion.
pub const MAX_DIAGNOSTICS: usize = 1000;

/// A list of diagnostics that keeps the first `limit` of them in sorted order (file, line,
/// column, …) and counts the others: memory stays proportional to `limit`, time to
/// `n log limit`.
#[derive(Debug)]
pub(crate) struct Collector {
    kept: Vec<Diagnostic>,
    limit: usize,
    /// Remove exact duplicates (validation may meet one entry twice through merged packs).
    /// Those among the diagnostics left out are counted as often as they occur: telling them
    /// apart would mean keeping them.
    dedup: bool,
    dropped_errors: usize,
    dropped_warnings: usize,
    /// The file of the first diagnostic left out, per level (errors, warnings).
    first_dropped: [Option<String>; 2],
}

impl Collector {
    pub(crate) fn new(limit: usize, dedup: bool) -> Self {
        Self {
            kept: Vec::new(),
            limit,
            dedup,
            dropped_errors: 0,
            dropped_warnings: 0,
            first_dropped: [None, None],
        }
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        self.kept.push(d);
        if self.kept.len() >= self.limit.saturating_mul(2).max(1) {
            self.compact();
        }
    }

    /// Sorts, removes duplicates if asked, and drops (counting them) all but the first `limit`.
    fn compact(&mut self) {
        self.kept.sort();
        if self.dedup {
            self.kept.dedup();
        }
        if self.kept.len() <= self.limit {
            return;
        }
        for d in self.kept.drain(self.limit..) {
            let (count, slot) = match d.level {
                Level::Error => (&mut self.dropped_errors, 0),
                Level::Warning => (&mut self.dropped_warnings, 1),
            };
            *count = count.saturating_add(1);
            if let Some(first) = self.first_dropped.get_mut(slot)
                && first.as_ref().is_none_or(|f| d.file < *f)
            {
                *first = Some(d.file);
            }
        }
    }

    /// The diagnostics kept, sorted, without the summaries.
    pub(crate) fn into_sorted(mut self) -> (Vec<Diagnostic>, Summary) {
        self.compact();
        let summary = Summary {
            dropped: [self.dropped_errors, self.dropped_warnings],
            first: self.first_dropped,
        };
        (self.kept, summary)
    }

    /// The diagnostics kept, sorted, then a count of those left out (one per level).
    pub(crate) fn finish(self) -> Vec<Diagnostic> {
        let (mut out, summary) = self.into_sorted();
        summary.append_to(&mut out);
        out
    }
}

/// What a [`Collector`] left out.
#[derive(Debug, Default)]
pub(crate) struct Summary {
    /// Errors, warnings.
    dropped: [usize; 2],
    first: [Option<String>; 2],
}

impl Summary {
    /// Adds `other`'s counts (the first file stays the earlier one).
    pub(crate) fn add(&mut self, other: Self) {
        for (a, b) in self.dropped.iter_mut().zip(other.dropped) {
            *a = a.saturating_add(b);
        }
        for (a, b) in self.first.iter_mut().zip(other.first) {
            if a.is_none() {
                *a = b;
            }
        }
    }

    /// Appends one diagnostic per level with something left out.
    pub(crate) fn append_to(self, out: &mut Vec<Diagnostic>) {
        let levels = [
            (codes::MORE_ERRORS, "error"),
            (codes::MORE_WARNINGS, "warning"),
        ];
        for ((n, first), (code, what)) in self.dropped.into_iter().zip(self.first).zip(levels) {
            if n == 0 {
                continue;
            }
            out.push(Diagnostic::new(
                code,
                Location {
                    file: first.unwrap_or_default(),
                    line: 0,
                    column: 0,
                },
                "",
                format!(
                    "{n} more {what}(s) not shown: only the first {MAX_DIAGNOSTICS} diagnostics \
                     are listed"
                ),
            ));
        }
    }
}

/// Longest source line (in bytes) a diagnostic quotes as its snippet. A longer line (a whole
/// pack written on one line, or a hostile file) is not copied into each diagnostic that points
/// at it: the diagnostic keeps its line and column but shows no snippet.
pub const MAX_SNIPPET_BYTES: usize = 1024;

/// Bytes per block of a [`LineIndex`]: the index stores three counters per block, and a
/// lookup scans at most one block.
const BLOCK: usize = 256;

/// Counters of a [`LineIndex`] block: newlines, UTF-8 continuation bytes, carriage returns.
const NEWLINES: usize = 0;
const CONTINUATIONS: usize = 1;
const RETURNS: usize = 2;

fn bytes_at(text: &[u8], i: usize) -> Option<u8> {
    text.get(i).copied()
}

fn counts(what: usize, b: u8) -> bool {
    match what {
        NEWLINES => b == b'\n',
        CONTINUATIONS => b & 0xC0 == 0x80,
        _ => b == b'\r',
    }
}

/// Where the lines of one text are, built once per file so that locating a diagnostic costs
/// a binary search and a scan of at most a few blocks, never a rescan of the text before it.
///
/// For every block of [`BLOCK`] bytes it stores how many newlines, UTF-8 continuation bytes
/// and carriage returns come before the block: a line number is a count of newlines, a column
/// in characters is a byte distance minus the continuation bytes inside it, and a line's end
/// (without trailing `\r`s) is found by binary search on the count of carriage returns.
#[derive(Debug)]
pub(crate) struct LineIndex {
    /// `blocks[k]` = counts in `text[..k * BLOCK]`; the last entry counts the whole text.
    blocks: Vec<[usize; 3]>,
}

impl LineIndex {
    /// Indexes `text` (one pass).
    pub(crate) fn new(text: &str) -> Self {
        let mut blocks = Vec::with_capacity(text.len() / BLOCK + 2);
        let mut acc = [0usize; 3];
        blocks.push(acc);
        for chunk in text.as_bytes().chunks(BLOCK) {
            for &b in chunk {
                if b == b'\n' {
                    acc[NEWLINES] = acc[NEWLINES].saturating_add(1);
                } else if b == b'\r' {
                    acc[RETURNS] = acc[RETURNS].saturating_add(1);
                } else if b & 0xC0 == 0x80 {
                    acc[CONTINUATIONS] = acc[CONTINUATIONS].saturating_add(1);
                }
            }
            blocks.push(acc);
        }
        Self { blocks }
    }

    /// How many bytes counted by `what` lie in `text[..x]` (`x <= text.len()`).
    fn before(&self, text: &[u8], what: usize, x: usize) -> usize {
        let k = x / BLOCK;
        let base = self
            .blocks
            .get(k)
            .and_then(|b| b.get(what))
            .copied()
            .unwrap_or(0);
        let from = k.saturating_mul(BLOCK);
        let tail = text
            .get(from..x)
            .map_or(0, |s| s.iter().filter(|b| counts(what, **b)).count());
        base.saturating_add(tail)
    }

    /// Offset of the `n`-th newline (1-based), if the text has that many.
    fn nth_newline(&self, text: &[u8], n: usize) -> Option<usize> {
        if n == 0 {
            return None;
        }
        // The last block whose preceding text holds fewer than `n` newlines holds the n-th.
        let k = self
            .blocks
            .partition_point(|b| b.get(NEWLINES).is_some_and(|c| *c < n))
            .checked_sub(1)?;
        let mut left = n.saturating_sub(self.blocks.get(k)?.get(NEWLINES).copied()?);
        let from = k.saturating_mul(BLOCK);
        for (i, b) in text.get(from..)?.iter().enumerate().take(BLOCK) {
            if *b == b'\n' {
                left = left.saturating_sub(1);
                if left == 0 {
                    return Some(from.saturating_add(i));
                }
            }
        }
        None
    }

    /// Characters in `text[a..b]` (both character boundaries, `a <= b`).
    fn chars(&self, text: &[u8], a: usize, b: usize) -> usize {
        let continuations = self
            .before(text, CONTINUATIONS, b)
            .saturating_sub(self.before(text, CONTINUATIONS, a));
        b.saturating_sub(a).saturating_sub(continuations)
    }

    /// The end of the line `text[start..raw_end]` without its trailing carriage returns.
    fn trim_returns(&self, text: &[u8], start: usize, raw_end: usize) -> usize {
        // `all_returns(p)`: every byte of `text[p..raw_end]` is `\r`; true at `raw_end`,
        // monotone in `p`. The line ends at the smallest such `p`.
        let returns_at_end = self.before(text, RETURNS, raw_end);
        let all_returns = |p: usize| {
            returns_at_end.saturating_sub(self.before(text, RETURNS, p))
                == raw_end.saturating_sub(p)
        };
        if raw_end == start || bytes_at(text, raw_end.saturating_sub(1)) != Some(b'\r') {
            return raw_end;
        }
        let (mut lo, mut hi) = (start, raw_end);
        while lo < hi {
            let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
            if all_returns(mid) {
                hi = mid;
            } else {
                lo = mid.saturating_add(1);
            }
        }
        lo
    }

    /// 1-based line and character column of byte offset `span.start`, the text of that line
    /// (empty when longer than [`MAX_SNIPPET_BYTES`]), and the span's width in characters
    /// clipped to the line. Offsets past the end or inside a character are clamped.
    pub(crate) fn locate(&self, text: &str, span: Range<usize>) -> (u32, u32, String, u32) {
        let bytes = text.as_bytes();
        let mut start = span.start.min(text.len());
        while !text.is_char_boundary(start) {
            start = start.saturating_sub(1);
        }
        let newlines = self.before(bytes, NEWLINES, start);
        let line_start = self
            .nth_newline(bytes, newlines)
            .map_or(0, |i| i.saturating_add(1));
        let raw_end = self
            .nth_newline(bytes, newlines.saturating_add(1))
            .unwrap_or(text.len());
        let line_end = self.trim_returns(bytes, line_start, raw_end);
        let column = self.chars(bytes, line_start, start).saturating_add(1);
        // `start` can sit on a line's trailing `\r` or `\n` (a TOML error there), past the
        // trimmed line's end: the span is then empty.
        let mut end = span.end.min(line_end).max(start);
        while !text.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let width = self.chars(bytes, start, end).max(1);
        let snippet = if line_end.saturating_sub(line_start) <= MAX_SNIPPET_BYTES {
            text.get(line_start..line_end).unwrap_or("").to_owned()
        } else {
            String::new()
        };
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (
            to_u32(newlines.saturating_add(1)),
            to_u32(column),
            snippet,
            to_u32(width),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward computation (a rescan of the text before the span) that
    /// [`LineIndex::locate`] must equal: what every diagnostic used to pay for.
    fn naive_locate(text: &str, span: Range<usize>) -> (u32, u32, String, u32) {
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
        let mut end = span.end.min(line_end).max(start);
        while !text.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        let width = text.get(start..end).map_or(0, |s| s.chars().count()).max(1);
        let snippet = if line_text.len() <= MAX_SNIPPET_BYTES {
            line_text.to_owned()
        } else {
            String::new()
        };
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        (to_u32(line_no), to_u32(column), snippet, to_u32(width))
    }

    fn locate(text: &str, span: Range<usize>) -> (u32, u32, String, u32) {
        LineIndex::new(text).locate(text, span)
    }

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
    fn locate_on_a_line_ending() {
        // A TOML error can point at the `\n` of a CRLF line, past the line without its `\r`:
        // this used to panic (`clamp` with min > max).
        let text = "a = \"x\r\n";
        assert_eq!(locate(text, 7..8), (1, 8, "a = \"x".into(), 1));
        assert_eq!(locate("a = 1\r\r\n", 6..7), (1, 7, "a = 1".into(), 1));
    }

    #[test]
    fn long_lines_have_no_snippet() {
        let line = format!("x = [{}]", "\"a\", ".repeat(MAX_SNIPPET_BYTES));
        let text = format!("[[sdk]]\n{line}\ny = 1\n");
        let off = text.rfind("\"a\"").unwrap();
        let (l, c, snippet, w) = locate(&text, off..off + 3);
        assert_eq!(
            (l, c, snippet.as_str(), w),
            (2, u32::try_from(off - 8 + 1).unwrap(), "", 3)
        );
        assert_eq!(locate(&text, 0..1).2, "[[sdk]]");
    }

    /// Every span of texts with long lines, CRLF, runs of `\r`, multi-byte characters and
    /// blocks boundaries: the index agrees with the rescan.
    #[test]
    fn index_equals_rescan() {
        let mut texts = vec![
            String::new(),
            "\n".to_owned(),
            "\r\r\n\r".to_owned(),
            "a = \"极光\"\r\nb = 2\r\r\n\n\nc = \"é\"".to_owned(),
        ];
        let mut big = String::new();
        for i in 0..400 {
            let line = match i % 7 {
                0 => "极光极光".repeat(i % 50),
                1 => "\r".repeat(i % 300),
                2 => format!("x = {}\r", "a".repeat(i)),
                3 => String::new(),
                // Around MAX_SNIPPET_BYTES, with and without a long run of `\r`s after.
                4 => "é".repeat(i * 2),
                5 => format!("{}{}", "abc".repeat(i), "\r".repeat(i % 300)),
                _ => "k = 1".to_owned(),
            };
            big.push_str(&line);
            big.push('\n');
        }
        big.push_str("tail without newline 极");
        texts.push(big);
        for text in &texts {
            let index = LineIndex::new(text);
            let step = (text.len() / 997).max(1);
            let mut starts: Vec<usize> = (0..=text.len() + 2).step_by(step).collect();
            // Line endings, and the first bytes of runs of `\r`s.
            starts.extend(
                text.match_indices(['\n', '\r'])
                    .map(|(i, _)| i)
                    .step_by(13)
                    .flat_map(|i| [i, i + 1]),
            );
            for start in starts {
                for len in [0, 1, 2, 3, 7, 300, 5000] {
                    let span = start..start + len;
                    assert_eq!(
                        index.locate(text, span.clone()),
                        naive_locate(text, span.clone()),
                        "span {span:?}"
                    );
                }
            }
        }
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
        assert_eq!(Level::of_code(codes::MORE_ERRORS), Level::Error);
        assert_eq!(Level::of_code(codes::MORE_WARNINGS), Level::Warning);
    }

    #[test]
    fn renders_with_caret() {
        let text = "[[sdk]]\nclass_prefixes = [\"com.google.\"]\n";
        let off = text.find("\"com").unwrap();
        let file = SourceFile::new("x.toml".into(), "x.toml".into(), text.into());
        let d = Diagnostic::at(
            codes::GENERIC_PREFIX,
            &file,
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

    #[test]
    fn collector_keeps_the_first_and_counts_the_rest() {
        let d = |code: &'static str, line: u32| {
            let mut d = Diagnostic::new(
                code,
                Location {
                    file: format!("f{}.toml", line % 3),
                    line,
                    column: 1,
                },
                "",
                "m",
            );
            d.line = line;
            d
        };
        let mut c = Collector::new(10, true);
        // Pushed in reverse: the first ten by place are kept, whatever the order.
        for line in (1..=100).rev() {
            c.push(d(codes::DUPLICATE_ID, line));
            c.push(d(codes::DUPLICATE_VALUE, line));
            if line % 3 == 0 && line < 12 {
                // An exact duplicate of one kept: removed.
                c.push(d(codes::DUPLICATE_VALUE, line));
            }
        }
        let out = c.finish();
        assert_eq!(out.len(), 12);
        let kept: Vec<(String, u32)> = out
            .iter()
            .take(10)
            .map(|d| (d.file.clone(), d.line))
            .collect();
        assert_eq!(kept.first(), Some(&("f0.toml".to_owned(), 3)));
        assert!(out.iter().take(10).all(|d| d.file == "f0.toml"));
        let more: Vec<(&str, &str, &str)> = out
            .iter()
            .skip(10)
            .map(|d| (d.code, d.file.as_str(), d.message.as_str()))
            .collect();
        let errors = 100 - out.iter().take(10).filter(|d| d.is_error()).count();
        let warnings = 100 - out.iter().take(10).filter(|d| !d.is_error()).count();
        assert_eq!(
            more,
            [
                (
                    codes::MORE_ERRORS,
                    "f0.toml",
                    format!("{errors} more error(s) not shown: only the first 1000 diagnostics are listed").as_str()
                ),
                (
                    codes::MORE_WARNINGS,
                    "f0.toml",
                    format!("{warnings} more warning(s) not shown: only the first 1000 diagnostics are listed").as_str()
                ),
            ]
        );
        // Under the limit, nothing is left out and nothing is added.
        let mut c = Collector::new(10, false);
        c.push(d(codes::DUPLICATE_ID, 2));
        c.push(d(codes::DUPLICATE_ID, 1));
        let out = c.finish();
        assert_eq!(
            out.iter().map(|d| d.line).collect::<Vec<_>>(),
            [2, 1].map(|l| l).into_iter().rev().collect::<Vec<_>>()
        );
    }
}
