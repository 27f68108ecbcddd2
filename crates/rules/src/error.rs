//! The crate's error type.

use std::path::PathBuf;

use crate::diag::{Diagnostic, Location, codes};

/// Why a rule pack could not be loaded, merged or compiled.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A rule folder or file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A rule file larger than [`MAX_RULE_FILE_BYTES`](crate::MAX_RULE_FILE_BYTES), or the
    /// rule files of a folder together larger than [`MAX_PACK_BYTES`](crate::MAX_PACK_BYTES):
    /// found before reading (from the file sizes) or while reading, which stops at the limit.
    #[error("{}: {}", path.display(), size_message(what, *size, *limit))]
    SizeLimit {
        /// The file, or the folder whose files together are too large.
        path: PathBuf,
        /// `rule file` or `rule folder`.
        what: &'static str,
        /// Its size in bytes (as far as it was read, past the limit).
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// A file is not valid TOML.
    #[error("{location}: TOML syntax error: {message}")]
    Syntax {
        /// Where.
        location: Location,
        /// The parser's message.
        message: String,
    },
    /// A file is valid TOML but does not fit the format: an unknown or missing key, a value of
    /// the wrong type or outside the vocabulary.
    #[error("{location}: `{field}`: {message}")]
    Schema {
        /// Where.
        location: Location,
        /// The diagnostic code ([`codes::UNKNOWN_FIELD`], [`codes::MISSING_FIELD`] or
        /// [`codes::INVALID_VALUE`]).
        code: &'static str,
        /// The key path, `kind.key[index]` (`sdk.category`).
        field: String,
        /// What was found and what was expected.
        message: String,
    },
    /// `--rules DIR` reuses an id (or permission name) of the pack it extends.
    #[error("duplicate id `{id}`: defined in {first} and again in {second}")]
    DuplicateId {
        /// The id.
        id: String,
        /// The first definition.
        first: Location,
        /// The second definition.
        second: Location,
    },
    /// More entries than the compiled pack's 32-bit ids can number.
    #[error("the rule pack has too many {what}")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
    },
    /// A matcher could not be built (the automaton's size limits).
    #[error("cannot build the matcher for {what}: {message}")]
    Matcher {
        /// Which matcher.
        what: &'static str,
        /// The builder's message.
        message: String,
    },
    /// A bug in this crate: please report it.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// Validation found errors; each is a diagnostic (warnings are included too).
    #[error("the rule pack has {} error(s)", diagnostics.iter().filter(|d| d.is_error()).count())]
    Invalid {
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
}

impl Error {
    /// The error as diagnostics, so that a caller can print load errors and validation
    /// problems the same way.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Self::Io { path, source } => vec![Diagnostic::new(
                codes::IO,
                Location {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                },
                "",
                format!("cannot read: {source}"),
            )],
            Self::SizeLimit {
                path,
                what,
                size,
                limit,
            } => vec![Diagnostic::new(
                codes::TOO_LARGE,
                Location {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                },
                "",
                size_message(what, *size, *limit),
            )],
            Self::Syntax { location, message } => {
                vec![Diagnostic::new(
                    codes::SYNTAX,
                    location.clone(),
                    "",
                    message.clone(),
                )]
            }
            Self::Schema {
                location,
                code,
                field,
                message,
            } => {
                vec![Diagnostic::new(
                    code,
                    location.clone(),
                    field.clone(),
                    message.clone(),
                )]
            }
            Self::DuplicateId { id, first, second } => vec![Diagnostic::new(
                codes::DUPLICATE_ID,
                second.clone(),
                "",
                format!("duplicate id `{id}`: already defined at {first}"),
            )],
            Self::Invalid { diagnostics } => diagnostics.clone(),
            Self::TooLarge { .. } | Self::Matcher { .. } | Self::Internal(_) => {
                vec![Diagnostic::new(
                    codes::TOO_LARGE,
                    Location::default(),
                    "",
                    self.to_string(),
                )]
            }
        }
    }
}

/// What a [`Error::SizeLimit`] says (also the text of the diagnostic for a text over the
/// limit that was handed over already read).
pub(crate) fn size_message(what: &str, size: u64, limit: u64) -> String {
    format!("{what} of {size} bytes is larger than the limit of {limit} bytes")
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
