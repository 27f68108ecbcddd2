//! Exit codes, and the error that ends a command with one.
//!
//! Every error path of the binary says which code it ends with: there is deliberately no
//! `From<anyhow::Error> for CliError`, so a `?` on an unclassified error does not compile and
//! each call site picks its [`Exit`] with [`OrExit::or_exit`].

use std::fmt::{Debug, Display};
use std::process::ExitCode;

/// What the process's exit code says, from the README's table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: every input was analysed, and no finding is at or above `--fail-on`.
    Success,
    /// 1: findings at or above `--fail-on` remain; for `rules validate` and `rules test`, the
    /// rules are invalid or a rule test failed.
    Findings,
    /// 2: at least one input could not be analysed (the others were). Outranks 1.
    Input,
    /// 3: a usage or configuration error (arguments, `--rules`, `--baseline`, `--out`,
    /// `--out-dir`, `--cache`, `--from-list`): nothing was scanned. Outranks everything.
    Usage,
    /// 4: some results could not be written (a file of `--out-dir`, a broken output stream
    /// other than a closed pipe). Outranks 2 and 1.
    Unwritten,
}

impl Exit {
    /// The number the process exits with.
    pub(crate) const fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Findings => 1,
            Exit::Input => 2,
            Exit::Usage => 3,
            Exit::Unwritten => 4,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// An error that ends a command early, and the exit code it calls for.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) exit: Exit,
    pub(crate) error: anyhow::Error,
}

impl CliError {
    /// A usage or configuration error with this message.
    pub(crate) fn usage(message: impl Display + Debug + Send + Sync + 'static) -> Self {
        Self {
            exit: Exit::Usage,
            error: anyhow::Error::msg(message),
        }
    }
}

/// Classifies an error by the exit code it ends the command with.
pub(crate) trait OrExit<T> {
    /// `Err` becomes a [`CliError`] ending the command with `exit`.
    fn or_exit(self, exit: Exit) -> Result<T, CliError>;
}

impl<T, E: Into<anyhow::Error>> OrExit<T> for Result<T, E> {
    fn or_exit(self, exit: Exit) -> Result<T, CliError> {
        self.map_err(|err| CliError {
            exit,
            error: err.into(),
        })
    }
}
