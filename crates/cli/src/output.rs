//! Where scan results go: one stream in the chosen format, or one file per app in a folder.
//!
//! Every format streams: each app is written (and flushed) when [`crate::batch`] hands it over —
//! in input order, as soon as it and every input before it are done — so a killed batch keeps
//! every record written and memory does not grow with the number of apps. JSON Lines are
//! written unbuffered, one `write` of a whole line per record, so a kill cannot leave half a
//! record followed by the next one; `--append` drops a torn tail a killed run left.
//!
//! `--out-dir` names each file after the input so that no two results of a run share a name
//! (see [`OutputNames`]) and writes it through a temporary file renamed into place, so a
//! symbolic link planted at a name is replaced, never followed, and nothing is written outside
//! the folder. A file that cannot be written loses that app's result only: the batch goes on.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read as _, Seek as _, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use apkscope_facts::{AppFacts, ScanFailure};
use apkscope_report::{CsvWriter, HtmlWriter, Lang, RuleDescriptor, SarifWriter, SdkListCsvWriter};
use clap::ValueEnum;
use sha2::{Digest, Sha256};

use crate::exit::{CliError, Exit, OrExit as _};
use crate::fsx;

/// Report formats of `scan`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// A readable summary per app.
    Text,
    /// The full report as JSON: one object for one app, an array for a batch.
    Json,
    /// One JSON report (or failure record) per line, in input order, each written as soon as
    /// its app and those before it are done.
    Jsonl,
    /// SARIF 2.1.0 for code-scanning services: one run per app.
    Sarif,
    /// A self-contained HTML page: one section per app.
    Html,
    /// The SDK list and permission matrix as one long CSV table (a `record` column tells them
    /// apart); with --out-dir, two CSV files per app.
    Csv,
    /// The third-party SDK list regulators expect apps to publish, as Markdown.
    SdkList,
    /// The same SDK list as CSV.
    SdkListCsv,
    /// A CycloneDX 1.6 SBOM (JSON) per app: the app, its SDKs and native libraries; a batch
    /// writes one SBOM per line (or one file per app with --out-dir).
    Cyclonedx,
}

type Out = Box<dyn Write + Send>;

/// Why a result was not written.
#[derive(Debug)]
pub(crate) enum SinkError {
    /// This app's result is lost (a file of `--out-dir`); the message says which and why. The
    /// batch goes on.
    Lost(String),
    /// The output stream is broken: nothing more can be written, the batch stops.
    Broken(io::Error),
}

/// Where a scan's results go.
pub(crate) struct Destination<'a> {
    pub(crate) format: Format,
    /// `--out FILE` (standard output when None).
    pub(crate) file: Option<&'a Path>,
    /// `--append` (JSON Lines to `file` only).
    pub(crate) append: bool,
    /// `--out-dir DIR`.
    pub(crate) dir: Option<&'a Path>,
    /// Whether the inputs make a batch (a JSON array, one SARIF run per app).
    pub(crate) batch: bool,
    /// `--lang`: the language of text, HTML, SARIF messages and SDK lists.
    pub(crate) lang: Lang,
}

/// The destination of a scan's results.
pub(crate) enum Sink {
    Stream(Stream),
    /// One file per app in a folder.
    Folder {
        dir: PathBuf,
        format: Format,
        rules: Vec<RuleDescriptor>,
        names: OutputNames,
        lang: Lang,
    },
}

/// One output stream in one format.
pub(crate) enum Stream {
    Text {
        out: Out,
        batch: bool,
        first: bool,
        lang: Lang,
    },
    Json {
        out: Out,
        batch: bool,
        first: bool,
    },
    /// Unbuffered: each record is one write of a whole line.
    Jsonl {
        out: Out,
    },
    Sarif(SarifWriter<Out>),
    Html(HtmlWriter<Out>),
    Csv(CsvWriter<Out>),
    /// The SDK list as Markdown: one section per app (and, in a batch, per failed input).
    SdkList {
        out: Out,
        batch: bool,
        first: bool,
        lang: Lang,
    },
    /// One app's SDK list as CSV.
    SdkListCsv {
        out: Out,
        lang: Lang,
    },
    /// A batch's SDK lists as one CSV table.
    SdkListCsvBatch(SdkListCsvWriter<Out>),
    /// CycloneDX SBOMs, one JSON document per line.
    Cyclonedx {
        out: Out,
    },
}

impl Sink {
    /// A stream to the file (standard output when None), or a folder of files. Failing to
    /// create the file or folder is a configuration error; failing to write a document's
    /// header, an unwritten result.
    pub(crate) fn open(
        to: &Destination<'_>,
        title: &str,
        rules: Vec<RuleDescriptor>,
    ) -> Result<Self, CliError> {
        let format = to.format;
        if let Some(dir) = to.dir {
            fs::create_dir_all(dir)
                .map_err(|err| {
                    anyhow::anyhow!("cannot create the output folder {}: {err}", dir.display())
                })
                .or_exit(Exit::Usage)?;
            // A killed run's temporary files; recent ones may be another process's.
            fsx::sweep_stale_temps(dir, fsx::stale_before(SystemTime::now()));
            return Ok(Sink::Folder {
                dir: dir.to_owned(),
                format,
                rules,
                names: OutputNames::default(),
                lang: to.lang,
            });
        }
        if format == Format::Jsonl {
            let out: Out = match to.file {
                Some(path) => Box::new(open_results(path, to.append).or_exit(Exit::Usage)?),
                // Standard output's own line buffer passes a whole line through at once.
                None => Box::new(io::stdout()),
            };
            return Ok(Sink::Stream(Stream::Jsonl { out }));
        }
        let out: Out = match to.file {
            Some(path) => Box::new(BufWriter::new(
                File::create(path)
                    .map_err(|err| {
                        anyhow::anyhow!("cannot create the output file {}: {err}", path.display())
                    })
                    .or_exit(Exit::Usage)?,
            )),
            None => Box::new(BufWriter::new(io::stdout())),
        };
        let header = |err: io::Error| CliError {
            exit: Exit::Unwritten,
            error: anyhow::Error::new(err).context("cannot write the report"),
        };
        let batch = to.batch;
        let lang = to.lang;
        let stream = match format {
            Format::Text => Stream::Text {
                out,
                batch,
                first: true,
                lang,
            },
            Format::Json => Stream::Json {
                out,
                batch,
                first: true,
            },
            Format::Jsonl => Stream::Jsonl { out },
            Format::Sarif => Stream::Sarif(SarifWriter::new_in(out, rules, lang).map_err(header)?),
            Format::Html => Stream::Html(HtmlWriter::new_in(out, title, lang).map_err(header)?),
            Format::Csv => Stream::Csv(CsvWriter::new(out).map_err(header)?),
            Format::SdkList => Stream::SdkList {
                out,
                batch,
                first: true,
                lang,
            },
            Format::SdkListCsv if batch => {
                Stream::SdkListCsvBatch(SdkListCsvWriter::new_in(out, lang).map_err(header)?)
            }
            Format::SdkListCsv => Stream::SdkListCsv { out, lang },
            Format::Cyclonedx => Stream::Cyclonedx { out },
        };
        Ok(Sink::Stream(stream))
    }

    /// Writes one app's report.
    pub(crate) fn app(&mut self, facts: &AppFacts) -> Result<(), SinkError> {
        match self {
            Sink::Stream(stream) => stream.app(facts).map_err(SinkError::Broken),
            Sink::Folder {
                dir,
                format,
                rules,
                names,
                lang,
            } => {
                let base = names.claim(
                    &facts.input.path,
                    Some(&facts.input.sha256),
                    Some(format.extension()),
                );
                write_app_file(dir, &base, *format, rules, facts, *lang)
                    .map_err(|err| lost(&facts.input.path, &err))
            }
        }
    }

    /// Records an input that could not be analysed.
    pub(crate) fn failure(&mut self, failure: &ScanFailure) -> Result<(), SinkError> {
        match self {
            Sink::Stream(stream) => stream.failure(failure).map_err(SinkError::Broken),
            Sink::Folder { dir, names, .. } => {
                // Named after the content too when it was read: two uploads at one path that
                // both fail keep their own records, each saying which content failed.
                let base = names.claim(&failure.input.path, failure.input.sha256.as_deref(), None);
                let target = dir.join(format!("{base}{ERROR_SUFFIX}"));
                fsx::write_via_temp(dir, &target, |out| {
                    serde_json::to_writer_pretty(&mut *out, failure)?;
                    out.write_all(b"\n")
                })
                .map_err(|err| lost(&failure.input.path, &annotate(&target, &err)))
            }
        }
    }

    /// Closes the document (JSON array, SARIF log, HTML page) and flushes.
    pub(crate) fn finish(self) -> io::Result<()> {
        match self {
            Sink::Stream(stream) => stream.finish(),
            Sink::Folder { .. } => Ok(()),
        }
    }
}

fn lost(input: &str, err: &io::Error) -> SinkError {
    SinkError::Lost(format!("cannot write the result of {input}: {err}"))
}

fn annotate(path: &Path, err: &io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

/// Opens the JSON Lines results file: replaced, or with `append` appended to after its torn
/// tail (a record a killed run left half-written) is dropped and said so on stderr.
fn open_results(path: &Path, append: bool) -> anyhow::Result<File> {
    let context = || format!("cannot open the results file {}", path.display());
    if !append {
        return File::create(path).map_err(|err| anyhow::anyhow!("{}: {err}", context()));
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|err| anyhow::anyhow!("{}: {err}", context()))?;
    // A pipe or device has no tail to repair.
    if file.metadata().is_ok_and(|m| m.is_file()) {
        let dropped = repair_torn_tail(&mut file)
            .map_err(|err| anyhow::anyhow!("cannot repair the end of {}: {err}", path.display()))?;
        if dropped > 0 {
            eprintln!(
                "apkscope: {}: dropped the last {dropped} bytes, a torn record (a previous run \
                 was stopped while writing it)",
                path.display()
            );
        }
    }
    Ok(file)
}

/// Bytes read at a time while looking for the last line end.
const TAIL_CHUNK: u64 = 64 * 1024;

/// Truncates `file` after its last `\n` (to nothing when it has none) and returns how many
/// bytes were dropped; a file that is empty or ends in `\n` is left alone.
fn repair_torn_tail(file: &mut File) -> io::Result<u64> {
    let len = file.metadata()?.len();
    let mut end = len;
    let mut chunk = Vec::new();
    let mut keep = 0u64;
    while end > 0 {
        let start = end.saturating_sub(TAIL_CHUNK);
        chunk.resize(usize::try_from(end.saturating_sub(start)).unwrap_or(0), 0);
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(&mut chunk)?;
        if let Some(pos) = chunk.iter().rposition(|&b| b == b'\n') {
            keep = start
                .saturating_add(u64::try_from(pos).unwrap_or(u64::MAX))
                .saturating_add(1);
            break;
        }
        end = start;
    }
    let dropped = len.saturating_sub(keep);
    if dropped > 0 {
        file.set_len(keep)?;
    }
    Ok(dropped)
}

/// Suffix of a failure record's file in `--out-dir`.
const ERROR_SUFFIX: &str = ".error.json";
/// Longest part of an output name taken from the input's file name, in bytes.
const MAX_NAME_BYTES: usize = 100;
/// Hex digits of the SHA-256 of the input's path in an output name.
const PATH_HASH_DIGITS: usize = 12;
/// Hex digits of the input's content SHA-256 in a report's name.
const CONTENT_HASH_DIGITS: usize = 12;

/// The names of one run's `--out-dir` files.
///
/// `<file name>-<path hash>-<content hash>.<ext>` for a report and
/// `<file name>-<path hash>-<content hash>.error.json` for a failure record of a file that was
/// read (`<file name>-<path hash>.error.json` for one that could not be): the input's whole
/// file name (extension included, characters other than letters, digits, `.`, `-`, `_`
/// replaced by `_`, cut to 100 bytes, `input` put before a leading `.`), the first 12 hex
/// digits of the SHA-256 of its path as given, and the first 12 of the file's SHA-256. Inputs
/// at different paths never share a name (same file name in two folders, `x.apk` and `x.dex`,
/// one file copied to two places, long names sharing their start); a record that would still
/// get a name already used in the run (the same path listed twice) gets `-2`, `-3`… appended.
#[derive(Debug, Default)]
pub(crate) struct OutputNames {
    used: HashSet<String>,
}

impl OutputNames {
    /// The base name (no extension) for the result of `path`; `sha256` when the content was
    /// read, `kind` tells reports' names (their extension) from failure records' (None).
    fn claim(&mut self, path: &str, sha256: Option<&str>, kind: Option<&str>) -> String {
        let base = output_base(path, sha256);
        let key = |base: &str| format!("{base}\0{}", kind.unwrap_or(ERROR_SUFFIX));
        if self.used.insert(key(&base)) {
            return base;
        }
        let mut n = 2u64;
        loop {
            let candidate = format!("{base}-{n}");
            if self.used.insert(key(&candidate)) {
                return candidate;
            }
            n = n.saturating_add(1);
        }
    }
}

/// `<file name>-<path hash>[-<content hash>]`, see [`OutputNames`].
fn output_base(path: &str, sha256: Option<&str>) -> String {
    let path_hash = format!("{:x}", Sha256::digest(path.as_bytes()));
    let mut base = format!(
        "{}-{}",
        safe_file_name(path),
        path_hash.get(..PATH_HASH_DIGITS).unwrap_or(&path_hash)
    );
    if let Some(sha) = sha256 {
        let digits: String = sha
            .chars()
            .filter(char::is_ascii_hexdigit)
            .take(CONTENT_HASH_DIGITS)
            .collect();
        if !digits.is_empty() {
            base.push('-');
            base.push_str(&digits);
        }
    }
    base
}

/// The input's whole file name, restricted to characters safe in any file system and cut to
/// [`MAX_NAME_BYTES`]; never empty, never starting with `.`.
fn safe_file_name(path: &str) -> String {
    let name = Path::new(path)
        .file_name()
        .map_or_else(|| "input".into(), |s| s.to_string_lossy());
    let mut safe = String::new();
    for c in name.chars() {
        let c = if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
            c
        } else {
            '_'
        };
        if safe.len().saturating_add(c.len_utf8()) > MAX_NAME_BYTES {
            break;
        }
        safe.push(c);
    }
    if safe.is_empty() || safe.starts_with('.') {
        format!("input{safe}")
    } else {
        safe
    }
}

impl Format {
    /// The extension of a report file in `--out-dir` (CSV writes two: `.sdks.csv` and
    /// `.permissions.csv`).
    fn extension(self) -> &'static str {
        match self {
            Format::Text => ".txt",
            Format::Json | Format::Jsonl => ".json",
            Format::Sarif => ".sarif",
            Format::Html => ".html",
            Format::Csv => ".csv",
            Format::SdkList => ".sdk-list.md",
            Format::SdkListCsv => ".sdk-list.csv",
            Format::Cyclonedx => ".cdx.json",
        }
    }
}

impl Stream {
    fn app(&mut self, facts: &AppFacts) -> io::Result<()> {
        match self {
            Stream::Text {
                out,
                batch,
                first,
                lang,
            } => {
                if !std::mem::take(first) && *batch {
                    out.write_all(b"\n")?;
                }
                apkscope_report::write_text_in(facts, *lang, out)?;
                out.flush()
            }
            Stream::Json { out, batch, first } => {
                json_item(out, *batch, first, facts)?;
                out.flush()
            }
            Stream::Jsonl { out } => jsonl_line(out, facts),
            Stream::Sarif(writer) => writer.write_run(facts),
            Stream::Html(writer) => writer.write_app(facts),
            Stream::Csv(writer) => writer.write_app(facts),
            Stream::SdkList {
                out, first, lang, ..
            } => {
                if !std::mem::take(first) {
                    out.write_all(b"\n")?;
                }
                apkscope_report::write_sdk_list_markdown_in(facts, *lang, out)?;
                out.flush()
            }
            Stream::SdkListCsv { out, lang } => {
                apkscope_report::write_sdk_list_csv_in(facts, *lang, out)?;
                out.flush()
            }
            Stream::SdkListCsvBatch(writer) => writer.write_app(facts),
            Stream::Cyclonedx { out } => {
                apkscope_report::write_cyclonedx(facts, out)?;
                out.flush()
            }
        }
    }

    fn failure(&mut self, failure: &ScanFailure) -> io::Result<()> {
        let path = &failure.input.path;
        let message = &failure.error.message;
        match self {
            // One app's text: the error line on stderr says it all; a batch notes it inline.
            Stream::Text {
                out, batch, first, ..
            } => {
                if *batch {
                    if !std::mem::take(first) {
                        out.write_all(b"\n")?;
                    }
                    writeln!(out, "{path}  FAILED ({}): {message}", failure.error.kind)?;
                }
                out.flush()
            }
            // One app's list: the error line on stderr says it all; a batch lists it.
            Stream::SdkList {
                out,
                batch,
                first,
                lang,
            } => {
                if *batch {
                    if !std::mem::take(first) {
                        out.write_all(b"\n")?;
                    }
                    let kind = &failure.error.kind;
                    apkscope_report::write_sdk_list_markdown_failure_in(
                        path, kind, message, *lang, out,
                    )?;
                }
                out.flush()
            }
            // The error line on stderr says it all: an SBOM describes an app that was read.
            Stream::SdkListCsv { .. } | Stream::Cyclonedx { .. } => Ok(()),
            Stream::SdkListCsvBatch(writer) => {
                writer.write_failure(path, &failure.error.kind, message)
            }
            Stream::Json { out, batch, first } => {
                json_item(out, *batch, first, failure)?;
                out.flush()
            }
            Stream::Jsonl { out } => jsonl_line(out, failure),
            Stream::Sarif(writer) => writer.write_failed_run(path, &failure.error.kind, message),
            Stream::Html(writer) => writer.write_failure(path, &failure.error.kind, message),
            Stream::Csv(writer) => writer.write_failure(path, &failure.error.kind, message),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Stream::Text { mut out, .. }
            | Stream::Jsonl { mut out }
            | Stream::SdkList { mut out, .. }
            | Stream::SdkListCsv { mut out, .. }
            | Stream::Cyclonedx { mut out } => out.flush(),
            Stream::Json {
                mut out,
                batch,
                first,
            } => {
                if batch {
                    out.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
                }
                out.flush()
            }
            Stream::Sarif(writer) => writer.finish()?.flush(),
            Stream::Html(writer) => writer.finish()?.flush(),
            Stream::Csv(writer) => writer.finish()?.flush(),
            Stream::SdkListCsvBatch(writer) => writer.finish()?.flush(),
        }
    }
}

/// One element of a JSON batch array (opened by the first), or one app's object.
fn json_item(
    out: &mut Out,
    batch: bool,
    first: &mut bool,
    value: &impl serde::Serialize,
) -> io::Result<()> {
    if batch {
        out.write_all(if std::mem::take(first) {
            b"[\n"
        } else {
            b",\n"
        })?;
        serde_json::to_writer(&mut *out, value)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, value)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One record as one whole line in one write: a kill leaves the line whole or absent (or, for
/// a huge record, a torn tail that `--append` repairs), never half a record that the next
/// file's first line could be glued to.
fn jsonl_line(out: &mut Out, value: &impl serde::Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(value)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()
}

fn write_app_file(
    dir: &Path,
    base: &str,
    format: Format,
    rules: &[RuleDescriptor],
    facts: &AppFacts,
    lang: Lang,
) -> io::Result<()> {
    let write = |ext: &str, write: &dyn Fn(&mut dyn Write) -> io::Result<()>| {
        let target = dir.join(format!("{base}{ext}"));
        fsx::write_via_temp(dir, &target, write).map_err(|err| annotate(&target, &err))
    };
    let ext = format.extension();
    match format {
        Format::Text => write(ext, &|out| apkscope_report::write_text_in(facts, lang, out)),
        Format::Json | Format::Jsonl => write(ext, &|out| apkscope_report::write_json(facts, out)),
        Format::Sarif => write(ext, &|out| {
            apkscope_report::write_sarif_in(facts, rules, lang, out)
        }),
        Format::Html => write(ext, &|out| HtmlWriter::write_page(facts, lang, out)),
        Format::Csv => {
            write(".sdks.csv", &|out| {
                apkscope_report::write_sdk_table_csv(facts, out)
            })?;
            write(".permissions.csv", &|out| {
                apkscope_report::write_permission_matrix_csv(facts, out)
            })
        }
        Format::SdkList => write(ext, &|out| {
            apkscope_report::write_sdk_list_markdown_in(facts, lang, out)
        }),
        Format::SdkListCsv => write(ext, &|out| {
            apkscope_report::write_sdk_list_csv_in(facts, lang, out)
        }),
        Format::Cyclonedx => write(ext, &|out| apkscope_report::write_cyclonedx(facts, out)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_whole() {
        assert_eq!(safe_file_name("/a/b/My App (1).apk"), "My_App__1_.apk");
        assert_eq!(safe_file_name("../../.hidden.apk"), "input.hidden.apk");
        assert_eq!(safe_file_name("e/.apk"), "input.apk");
        assert_eq!(safe_file_name("a/.."), "input");
        assert_eq!(safe_file_name(""), "input");
        assert_eq!(safe_file_name("/x/微信.apk"), "微信.apk");
        let long = "微".repeat(60);
        let cut = safe_file_name(&long);
        assert!(cut.len() <= MAX_NAME_BYTES && cut.len() > MAX_NAME_BYTES - 3);
    }

    #[test]
    fn no_two_inputs_share_a_name() {
        let sha = "0123456789abcdef".repeat(4);
        let mut names = OutputNames::default();
        let long_a = format!("{}a.apk", "x".repeat(120));
        let long_b = format!("{}b.apk", "x".repeat(120));
        let reports = [
            ("e/bad.apk", sha.as_str()),
            ("f/bad.apk", &sha),
            ("x.apk", &sha),
            ("x.dex", &sha),
            (&long_a, &sha),
            (&long_b, &sha),
            ("x.apk", &sha),
            ("x.apk", &sha),
        ];
        let mut seen = HashSet::new();
        for (path, sha) in reports {
            let base = names.claim(path, Some(sha), Some(".json"));
            assert!(seen.insert(base.clone()), "{base} twice");
            assert!(!base.contains('/') && !base.starts_with('.'), "{base}");
        }
        assert!(seen.contains(&format!("{}-2", output_base("x.apk", Some(&sha)))));
        assert!(seen.contains(&format!("{}-3", output_base("x.apk", Some(&sha)))));
        // A failure record's name is separate from a report's.
        let failure = names.claim("e/bad.apk", None, None);
        assert_eq!(failure, output_base("e/bad.apk", None));
        assert!(failure.starts_with("bad.apk-") && failure.len() == "bad.apk-".len() + 12);
        assert_eq!(names.claim("e/bad.apk", None, None), format!("{failure}-2"));
        // A failure of content that was read is named after it too.
        let read = names.claim("e/bad.apk", Some(&sha), None);
        assert_eq!(read, format!("{failure}-0123456789ab"));
    }

    #[test]
    fn a_torn_tail_is_dropped() {
        let dir = std::env::temp_dir().join(format!("apkscope-torn-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.jsonl");
        for (content, kept) in [
            (&b""[..], &b""[..]),
            (b"{}\n", b"{}\n"),
            (b"{}\n{\"a\"", b"{}\n"),
            (b"{\"torn", b""),
        ] {
            fs::write(&path, content).unwrap();
            let mut file = OpenOptions::new()
                .read(true)
                .append(true)
                .open(&path)
                .unwrap();
            let dropped = repair_torn_tail(&mut file).unwrap();
            assert_eq!(dropped, (content.len() - kept.len()) as u64);
            file.write_all(b"[]\n").unwrap();
            drop(file);
            assert_eq!(fs::read(&path).unwrap(), [kept, b"[]\n"].concat());
        }
        // Longer than one chunk, line end far back.
        let mut big = b"{}\n".to_vec();
        big.extend(std::iter::repeat_n(b'x', 200_000));
        fs::write(&path, &big).unwrap();
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .unwrap();
        assert_eq!(repair_torn_tail(&mut file).unwrap(), 200_000);
        assert_eq!(fs::read(&path).unwrap(), b"{}\n");
        fs::remove_dir_all(&dir).unwrap();
    }
}
