//! Where scan results go: one stream in the chosen format, or one file per app in a folder.
//!
//! Every format streams: each app is written (and flushed) when it finishes, so a killed batch
//! keeps every finished app and memory does not grow with the number of apps.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use apkscope_facts::{AppFacts, ScanFailure};
use apkscope_report::{CsvWriter, HtmlWriter, RuleDescriptor, SarifWriter};
use clap::ValueEnum;

/// Report formats of `scan`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// A readable summary per app.
    Text,
    /// The full report as JSON: one object for one app, an array for a batch.
    Json,
    /// One JSON report (or failure record) per line, written as each app finishes.
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
}

type Out = Box<dyn Write + Send>;

/// The destination of a scan's results.
pub(crate) enum Sink {
    Stream(Stream),
    /// One file per app in a folder.
    Folder {
        dir: PathBuf,
        format: Format,
        rules: Vec<RuleDescriptor>,
    },
}

/// One output stream in one format.
pub(crate) enum Stream {
    Text { out: Out, batch: bool, first: bool },
    Json { out: Out, batch: bool, first: bool },
    Jsonl { out: Out },
    Sarif(SarifWriter<Out>),
    Html(HtmlWriter<Out>),
    Csv(CsvWriter<Out>),
    SdkList { out: Out, csv: bool, first: bool },
}

impl Sink {
    /// A stream to `out_file` (standard output when None), or a folder of files.
    pub(crate) fn open(
        format: Format,
        out_file: Option<&Path>,
        out_dir: Option<&Path>,
        batch: bool,
        title: &str,
        rules: Vec<RuleDescriptor>,
    ) -> anyhow::Result<Self> {
        if let Some(dir) = out_dir {
            fs::create_dir_all(dir).map_err(|err| {
                anyhow::anyhow!("cannot create the output folder {}: {err}", dir.display())
            })?;
            return Ok(Sink::Folder {
                dir: dir.to_owned(),
                format,
                rules,
            });
        }
        let out: Out = match out_file {
            Some(path) => Box::new(BufWriter::new(File::create(path).map_err(|err| {
                anyhow::anyhow!("cannot create output file {}: {err}", path.display())
            })?)),
            None => Box::new(BufWriter::new(io::stdout())),
        };
        let stream = match format {
            Format::Text => Stream::Text {
                out,
                batch,
                first: true,
            },
            Format::Json => Stream::Json {
                out,
                batch,
                first: true,
            },
            Format::Jsonl => Stream::Jsonl { out },
            Format::Sarif => Stream::Sarif(SarifWriter::new(out, rules)?),
            Format::Html => Stream::Html(HtmlWriter::new(out, title)?),
            Format::Csv => Stream::Csv(CsvWriter::new(out)?),
            Format::SdkList | Format::SdkListCsv => Stream::SdkList {
                out,
                csv: format == Format::SdkListCsv,
                first: true,
            },
        };
        Ok(Sink::Stream(stream))
    }

    /// Writes one app's report.
    pub(crate) fn app(&mut self, facts: &AppFacts) -> io::Result<()> {
        match self {
            Sink::Stream(stream) => stream.app(facts),
            Sink::Folder { dir, format, rules } => write_app_file(dir, *format, rules, facts),
        }
    }

    /// Records an input that could not be analysed.
    pub(crate) fn failure(&mut self, failure: &ScanFailure) -> io::Result<()> {
        match self {
            Sink::Stream(stream) => stream.failure(failure),
            Sink::Folder { dir, .. } => {
                let name = format!("{}.error.json", file_stem(&failure.input.path));
                write_file(&dir.join(name), |out| {
                    serde_json::to_writer_pretty(&mut *out, failure)?;
                    out.write_all(b"\n")
                })
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

impl Stream {
    fn app(&mut self, facts: &AppFacts) -> io::Result<()> {
        match self {
            Stream::Text { out, batch, first } => {
                if !std::mem::take(first) && *batch {
                    out.write_all(b"\n")?;
                }
                apkscope_report::write_text(facts, out)?;
                out.flush()
            }
            Stream::Json { out, batch, first } => {
                json_item(out, *batch, first, facts)?;
                out.flush()
            }
            Stream::Jsonl { out } => {
                serde_json::to_writer(&mut *out, facts)?;
                out.write_all(b"\n")?;
                out.flush()
            }
            Stream::Sarif(writer) => writer.write_run(facts),
            Stream::Html(writer) => writer.write_app(facts),
            Stream::Csv(writer) => writer.write_app(facts),
            Stream::SdkList { out, csv, first } => {
                if !std::mem::take(first) {
                    out.write_all(b"\n")?;
                }
                if *csv {
                    apkscope_report::write_sdk_list_csv(facts, out)?;
                } else {
                    apkscope_report::write_sdk_list_markdown(facts, out)?;
                }
                out.flush()
            }
        }
    }

    fn failure(&mut self, failure: &ScanFailure) -> io::Result<()> {
        let path = &failure.input.path;
        let message = &failure.error.message;
        match self {
            // One app's text: the error line on stderr says it all; a batch notes it inline.
            Stream::Text { out, batch, first } => {
                if *batch {
                    if !std::mem::take(first) {
                        out.write_all(b"\n")?;
                    }
                    writeln!(out, "{path}  FAILED ({}): {message}", failure.error.kind)?;
                }
                out.flush()
            }
            Stream::SdkList { .. } => Ok(()),
            Stream::Json { out, batch, first } => {
                json_item(out, *batch, first, failure)?;
                out.flush()
            }
            Stream::Jsonl { out } => {
                serde_json::to_writer(&mut *out, failure)?;
                out.write_all(b"\n")?;
                out.flush()
            }
            Stream::Sarif(writer) => writer.write_failed_run(path, &failure.error.kind, message),
            Stream::Html(writer) => writer.write_failure(path, &failure.error.kind, message),
            Stream::Csv(writer) => writer.write_failure(path, &failure.error.kind, message),
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            Stream::Text { mut out, .. }
            | Stream::Jsonl { mut out }
            | Stream::SdkList { mut out, .. } => out.flush(),
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

/// `<input file stem>-<first 12 hex of its SHA-256>`: unique across folders with equal names.
fn app_file_base(facts: &AppFacts) -> String {
    let sha = facts.input.sha256.get(..12).unwrap_or(&facts.input.sha256);
    format!("{}-{sha}", file_stem(&facts.input.path))
}

/// The input's file stem, restricted to characters safe in any file system.
fn file_stem(path: &str) -> String {
    let stem = Path::new(path)
        .file_stem()
        .map_or_else(|| "input".into(), |s| s.to_string_lossy());
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if safe.is_empty() || safe.starts_with('.') {
        format!("input{safe}")
    } else {
        safe
    }
}

fn write_app_file(
    dir: &Path,
    format: Format,
    rules: &[RuleDescriptor],
    facts: &AppFacts,
) -> io::Result<()> {
    let base = dir.join(app_file_base(facts));
    let with = |ext: &str| {
        let mut name = base.clone().into_os_string();
        name.push(ext);
        PathBuf::from(name)
    };
    match format {
        Format::Text => write_file(&with(".txt"), |out| apkscope_report::write_text(facts, out)),
        Format::Json | Format::Jsonl => write_file(&with(".json"), |out| {
            apkscope_report::write_json(facts, out)
        }),
        Format::Sarif => write_file(&with(".sarif"), |out| {
            apkscope_report::write_sarif(facts, rules, out)
        }),
        Format::Html => write_file(&with(".html"), |out| {
            apkscope_report::write_html(facts, out)
        }),
        Format::Csv => {
            write_file(&with(".sdks.csv"), |out| {
                apkscope_report::write_sdk_table_csv(facts, out)
            })?;
            write_file(&with(".permissions.csv"), |out| {
                apkscope_report::write_permission_matrix_csv(facts, out)
            })
        }
        Format::SdkList => write_file(&with(".sdk-list.md"), |out| {
            apkscope_report::write_sdk_list_markdown(facts, out)
        }),
        Format::SdkListCsv => write_file(&with(".sdk-list.csv"), |out| {
            apkscope_report::write_sdk_list_csv(facts, out)
        }),
    }
}

fn write_file(path: &Path, write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let file = File::create(path)
        .map_err(|err| io::Error::new(err.kind(), format!("{}: {err}", path.display())))?;
    let mut out = BufWriter::new(file);
    write(&mut out)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("/a/b/My App (1).apk"), "My_App__1_");
        assert_eq!(file_stem("../../.hidden.apk"), "input.hidden");
        assert_eq!(file_stem(""), "input");
        assert_eq!(file_stem("/x/微信.apk"), "微信");
    }
}
