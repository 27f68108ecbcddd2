//! `apkscope completions SHELL` and `apkscope man`: what shells and `man` need, generated from
//! the same command-line definition the binary parses, so they cannot drift from it.

use std::io::{self, Write as _};

use clap::CommandFactory as _;

use crate::exit::{CliError, Exit, OrExit as _};
use crate::{Cli, write_output};

/// The binary's name, as shells and `man` know it.
const BIN: &str = "apkscope";

/// Prints the completion script of `shell`.
pub(crate) fn completions(shell: clap_complete::Shell) -> Result<Exit, CliError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    write_output(None, |out| out.write_all(&script))?;
    Ok(Exit::Success)
}

/// Prints the manual page (roff): the command, its options and subcommands, then a section
/// per subcommand (`APKSCOPE SCAN`, `APKSCOPE RULES TEST` …) with its synopsis and options.
pub(crate) fn man() -> Result<Exit, CliError> {
    let page = man_page()
        .context_io("cannot render the manual page")
        .or_exit(Exit::Unwritten)?;
    write_output(None, |out| out.write_all(&page))?;
    Ok(Exit::Success)
}

/// The whole manual page.
pub(crate) fn man_page() -> io::Result<Vec<u8>> {
    let mut cmd = Cli::command().bin_name(BIN).disable_help_subcommand(true);
    cmd.build();
    let mut top = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut top)?;
    // The list of subcommands points at pages of their own (`apkscope-scan(1)`); here they are
    // sections of this page.
    let mut page = Vec::new();
    for line in String::from_utf8_lossy(&top).lines() {
        let sub = line
            .strip_prefix("apkscope\\-")
            .and_then(|rest| rest.strip_suffix("(1)"))
            .filter(|name| cmd.find_subcommand(name).is_some());
        match sub {
            Some(name) => writeln!(
                page,
                "\\fBapkscope {name}\\fR (see APKSCOPE {})",
                name.to_uppercase()
            )?,
            None => writeln!(page, "{line}")?,
        }
    }
    for sub in cmd.get_subcommands() {
        subcommand_section(&mut page, sub)?;
    }
    Ok(page)
}

/// One subcommand's section, its own sections demoted to subsections; then its subcommands'.
fn subcommand_section(page: &mut Vec<u8>, cmd: &clap::Command) -> io::Result<()> {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    writeln!(page, ".SH \"{}\"", name.to_uppercase().replace('"', ""))?;
    let man = clap_mangen::Man::new(cmd.clone());
    let mut part = Vec::new();
    man.render_description_section(&mut part)?;
    man.render_synopsis_section(&mut part)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut part)?;
    }
    for line in String::from_utf8_lossy(&part).lines() {
        if line == ".SH DESCRIPTION" {
            continue;
        }
        match line.strip_prefix(".SH ") {
            Some(heading) => writeln!(page, ".SS {heading}")?,
            None => writeln!(page, "{line}")?,
        }
    }
    for sub in cmd.get_subcommands() {
        subcommand_section(page, sub)?;
    }
    Ok(())
}

/// Adds what was being done to an I/O error.
trait ContextIo<T> {
    fn context_io(self, what: &str) -> anyhow::Result<T>;
}

impl<T> ContextIo<T> for io::Result<T> {
    fn context_io(self, what: &str) -> anyhow::Result<T> {
        self.map_err(|err| anyhow::anyhow!("{what}: {err}"))
    }
}
