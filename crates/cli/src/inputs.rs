//! Which files a scan reads: paths, folders walked recursively, lists, and a stable shard.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// File extensions a folder walk picks up: APKs and the bare dex files the scanner also reads.
/// A file named explicitly is scanned whatever its name.
const SCANNED_EXTENSIONS: &[&str] = &["apk", "dex"];

/// One thing to scan, or a path that could not even be listed (reported as a failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// A file to scan.
    File(PathBuf),
    /// A path that could not be read as a file or walked as a folder, and why.
    Unreadable { path: PathBuf, reason: String },
}

impl Input {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Input::File(path) | Input::Unreadable { path, .. } => path,
        }
    }
}

/// The inputs named by `paths` and the list file, in a stable order: arguments first, each
/// folder's files sorted by path, then the list's lines in their order.
pub(crate) fn collect(paths: &[PathBuf], from_list: Option<&Path>) -> io::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in paths {
        add_path(path, true, &mut inputs);
    }
    if let Some(list) = from_list {
        for path in read_list(list)? {
            add_path(&path, true, &mut inputs);
        }
    }
    Ok(inputs)
}

/// Whether the inputs make a batch (several apps, a folder or a list) rather than one app:
/// batch output wraps reports (a JSON array, one SARIF run per app), one app's does not.
pub(crate) fn is_batch(paths: &[PathBuf], from_list: Option<&Path>) -> bool {
    paths.len() > 1 || from_list.is_some() || paths.iter().any(|p| p.is_dir())
}

/// One path per line; blank lines and `#` comments are skipped; `-` reads standard input.
fn read_list(list: &Path) -> io::Result<Vec<PathBuf>> {
    let reader: Box<dyn Read> = if list == Path::new("-") {
        Box::new(io::stdin())
    } else {
        Box::new(fs::File::open(list).map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot open the list {}: {err}", list.display()),
            )
        })?)
    };
    let mut paths = Vec::new();
    for line in BufReader::new(reader).lines() {
        let line = line?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        paths.push(PathBuf::from(line));
    }
    Ok(paths)
}

fn add_path(path: &Path, named: bool, inputs: &mut Vec<Input>) {
    // `metadata` follows symlinks: a link to an APK is scanned; links to folders are not walked
    // (below), so a link cycle cannot loop.
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => walk(path, inputs),
        Ok(_) if named || has_scanned_extension(path) => inputs.push(Input::File(path.to_owned())),
        Ok(_) => {}
        Err(err) => inputs.push(Input::Unreadable {
            path: path.to_owned(),
            reason: err.to_string(),
        }),
    }
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            inputs.push(Input::Unreadable {
                path: dir.to_owned(),
                reason: format!("cannot list the folder: {err}"),
            });
            return;
        }
    };
    let mut children: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                let is_real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                children.push((entry.path(), is_real_dir));
            }
            Err(err) => inputs.push(Input::Unreadable {
                path: dir.to_owned(),
                reason: format!("cannot list the folder: {err}"),
            }),
        }
    }
    children.sort();
    for (child, is_real_dir) in children {
        if is_real_dir {
            walk(&child, inputs);
        } else if has_scanned_extension(&child) {
            add_path(&child, false, inputs);
        }
    }
}

fn has_scanned_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| SCANNED_EXTENSIONS.iter().any(|s| e.eq_ignore_ascii_case(s)))
}

/// `--shard K/N`: this process scans the inputs whose path hashes to `K` modulo `N`.
///
/// K counts from 0 (a Kubernetes Indexed Job's `JOB_COMPLETION_INDEX`; Slurm arrays can start
/// at 0). The hash is SHA-256 of the path as given, so every machine given the same list picks
/// the same disjoint subsets with no coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Shard {
    index: u64,
    count: u64,
}

impl Shard {
    pub(crate) fn contains(self, path: &Path) -> bool {
        let digest = Sha256::digest(path.as_os_str().as_encoded_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(digest.get(..8).unwrap_or(&[0; 8]));
        u64::from_be_bytes(first) % self.count == self.index
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = || format!("`{s}` is not K/N with 0 <= K < N (e.g. 0/4)");
        let (k, n) = s.split_once('/').ok_or_else(usage)?;
        let index: u64 = k.trim().parse().map_err(|_| usage())?;
        let count: u64 = n.trim().parse().map_err(|_| usage())?;
        if count == 0 || index >= count {
            return Err(usage());
        }
        Ok(Self { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_inputs() {
        let paths: Vec<PathBuf> = (0..1000)
            .map(|i| PathBuf::from(format!("apps/{i}.apk")))
            .collect();
        let shards: Vec<Shard> = (0..4).map(|k| format!("{k}/4").parse().unwrap()).collect();
        let mut sizes = [0usize; 4];
        for path in &paths {
            let owners: Vec<usize> = (0..4).filter(|&k| shards[k].contains(path)).collect();
            assert_eq!(
                owners.len(),
                1,
                "{} is in shards {owners:?}",
                path.display()
            );
            sizes[owners[0]] += 1;
        }
        // A good hash spreads 1000 paths over 4 shards roughly evenly.
        assert!(sizes.iter().all(|&n| (180..=320).contains(&n)), "{sizes:?}");
    }

    #[test]
    fn shard_syntax_is_checked() {
        assert!("0/1".parse::<Shard>().is_ok());
        for bad in ["1/1", "4/4", "x/2", "1", "0/0", "-1/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn folders_are_walked_in_order_and_filtered_by_extension() {
        let dir = std::env::temp_dir().join(format!("apkscope-inputs-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("b/c")).unwrap();
        for name in ["b/c/z.apk", "a.APK", "b/x.dex", "notes.txt", "b/y.apk"] {
            fs::write(dir.join(name), b"").unwrap();
        }
        let inputs = collect(std::slice::from_ref(&dir), None).unwrap();
        let names: Vec<String> = inputs
            .iter()
            .map(|i| {
                i.path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.APK", "b/c/z.apk", "b/x.dex", "b/y.apk"]);
        // A file named explicitly is scanned whatever its extension.
        let explicit = collect(&[dir.join("notes.txt")], None).unwrap();
        assert_eq!(explicit, [Input::File(dir.join("notes.txt"))]);
        // A missing path is kept as an unreadable input, not dropped.
        let missing = collect(&[dir.join("gone.apk")], None).unwrap();
        assert!(matches!(missing[0], Input::Unreadable { .. }));
        fs::remove_dir_all(&dir).unwrap();
    }
}
