//! Access to the shared corpus of real APKs and the oracles' verdicts on them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// `../shared` beside the repository, or `None` (and a printed reason) when it is absent.
pub(crate) fn shared_dir(test: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus/MANIFEST.tsv").is_file() && dir.join("oracles/INDEX.tsv").is_file() {
        Some(dir)
    } else {
        crate::skip::skip_part(test, "../shared/corpus or ../shared/oracles is absent");
        None
    }
}

/// One row of `oracles/INDEX.tsv`: a corpus file and which tools could read it.
#[derive(Debug, Clone)]
pub(crate) struct IndexRow {
    pub(crate) path: String,
    pub(crate) sha256: String,
    pub(crate) exit_codes: BTreeMap<String, i32>,
}

impl IndexRow {
    /// Whether `tool` (a column name without the `_rc` suffix) read the file.
    pub(crate) fn read_by(&self, tool: &str) -> bool {
        self.exit_codes.get(tool) == Some(&0)
    }
}

/// Every row of `oracles/INDEX.tsv`.
pub(crate) fn index(shared: &Path) -> Vec<IndexRow> {
    let text = std::fs::read_to_string(shared.join("oracles/INDEX.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            let mut exit_codes = BTreeMap::new();
            for (name, value) in header.iter().zip(&cols).skip(2) {
                let tool = name.trim_end_matches("_rc").to_owned();
                exit_codes.insert(tool, value.parse().unwrap_or(-1));
            }
            IndexRow {
                path: cols[0].to_owned(),
                sha256: cols[1].to_owned(),
                exit_codes,
            }
        })
        .collect()
}

/// Every file listed in `corpus/MANIFEST.tsv` with its kind (`apk`, `dex`, `so`, `axml`).
pub(crate) fn manifest(shared: &Path) -> Vec<(PathBuf, String)> {
    let text = std::fs::read_to_string(shared.join("corpus/MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let mut cols = line.split('\t');
            let path = cols.next()?;
            let kind = cols.next()?;
            Some((shared.join("corpus").join(path), kind.to_owned()))
        })
        .collect()
}

/// The stdout part of an oracle text file (before the `--- stderr ---` line).
pub(crate) fn oracle_stdout(shared: &Path, tool: &str, sha256: &str) -> Option<String> {
    let text = std::fs::read_to_string(
        shared
            .join("oracles")
            .join(tool)
            .join(format!("{sha256}.txt")),
    )
    .ok()?;
    Some(
        text.split("\n--- stderr ---")
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}
