//! Which files a scan reads: paths, folders walked recursively, lists, and a stable shard.
//!
//! Inputs come from folders other processes write to (upload spools), so the walk decides
//! what a name is from `stat` alone — which never opens, so never blocks — and takes regular
//! files only: a FIFO, socket or device named like an app is a `not_a_file` failure record,
//! never opened here (the engine's `read_input` opens without blocking and checks again on the
//! open handle, for a path swapped meanwhile). Symbolic links are followed to regular files
//! only: a link to a folder is never walked, so a link loop (`loop.apk -> .`) cannot repeat
//! or multiply inputs. Every path yields exactly one input, or a folder's files.

use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// File-name endings a folder walk picks up (ASCII case ignored): APKs and the bare dex files
/// the scanner also reads. A whole name such as `.apk` counts. A file named explicitly is
/// scanned whatever its name.
const SCANNED_EXTENSIONS: &[&str] = &["apk", "dex"];

/// Failure kind of a path that is not a regular file (as the engine's `Error::kind`).
pub(crate) const KIND_NOT_A_FILE: &str = "not_a_file";
/// Failure kind of a path that cannot be read or listed.
pub(crate) const KIND_IO: &str = "io";

/// One thing to scan, or a path that is not (reported as a failure record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Input {
    /// A regular file to scan (as far as `stat` could tell).
    File(PathBuf),
    /// A path that could not be read as a file or walked as a folder: the failure record's
    /// `kind` ([`KIND_IO`], [`KIND_NOT_A_FILE`]) and why.
    Unreadable {
        path: PathBuf,
        kind: &'static str,
        reason: String,
    },
}

impl Input {
    pub(crate) fn path(&self) -> &Path {
        match self {
            Input::File(path) | Input::Unreadable { path, .. } => path,
        }
    }

    fn io(path: &Path, reason: String) -> Self {
        Input::Unreadable {
            path: path.to_owned(),
            kind: KIND_IO,
            reason,
        }
    }

    fn not_a_file(path: &Path, what: &str) -> Self {
        Input::Unreadable {
            path: path.to_owned(),
            kind: KIND_NOT_A_FILE,
            reason: format!("not a regular file but a {what}"),
        }
    }
}

/// The inputs named by `paths` and the list file, in a stable order: arguments first, each
/// folder's files sorted by path, then the list's lines in their order. Only a list that
/// cannot be read is an error.
pub(crate) fn collect(paths: &[PathBuf], from_list: Option<&Path>) -> io::Result<Vec<Input>> {
    let mut inputs = Vec::new();
    for path in paths {
        add_named(path, &mut inputs);
    }
    if let Some(list) = from_list {
        for path in read_list(list)? {
            add_named(&path, &mut inputs);
        }
    }
    Ok(inputs)
}

/// Whether the inputs make a batch (several apps, a folder or a list) rather than one app:
/// batch output wraps reports (a JSON array, one SARIF run per app), one app's does not.
pub(crate) fn is_batch(paths: &[PathBuf], from_list: Option<&Path>) -> bool {
    paths.len() > 1 || from_list.is_some() || paths.iter().any(|p| p.is_dir())
}

/// One path per line; blank lines and `#` comments are skipped; `-` reads standard input. The
/// list itself may be a pipe (`--from-list <(find …)`): it is read to its end.
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
        let line = line.map_err(|err| {
            io::Error::new(
                err.kind(),
                format!("cannot read the list {}: {err}", list.display()),
            )
        })?;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        paths.push(PathBuf::from(line));
    }
    Ok(paths)
}

/// A path the user named: a folder (or a link to one) is walked; anything else is one input.
fn add_named(path: &Path, inputs: &mut Vec<Input>) {
    // `metadata` follows symlinks and never opens the file.
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => walk(path, inputs),
        Ok(meta) => inputs.push(file_input(path, &meta)),
        Err(err) => inputs.push(Input::io(path, err.to_string())),
    }
}

/// A path met in a folder walk whose name is an app's: one input, whatever it is. A link to a
/// folder is not walked (that is how link loops repeat inputs) but reported.
fn add_found(path: &Path, inputs: &mut Vec<Input>) {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => inputs.push(Input::not_a_file(
            path,
            "folder (a symbolic link to a folder is not walked)",
        )),
        Ok(meta) => inputs.push(file_input(path, &meta)),
        Err(err) => inputs.push(Input::io(path, err.to_string())),
    }
}

fn file_input(path: &Path, meta: &fs::Metadata) -> Input {
    match special_kind(meta.file_type()) {
        None => Input::File(path.to_owned()),
        Some(what) => Input::not_a_file(path, what),
    }
}

/// What a file type is when it is neither a regular file nor a folder.
fn special_kind(file_type: fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if file_type.is_fifo() {
            return Some("FIFO");
        }
        if file_type.is_socket() {
            return Some("socket");
        }
        if file_type.is_char_device() {
            return Some("character device");
        }
        if file_type.is_block_device() {
            return Some("block device");
        }
    }
    Some("special file")
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            inputs.push(Input::io(dir, format!("cannot list the folder: {err}")));
            return;
        }
    };
    let mut children: Vec<(PathBuf, bool)> = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => {
                // The entry's own type: a symbolic link is not a folder here.
                let is_real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                children.push((entry.path(), is_real_dir));
            }
            Err(err) => inputs.push(Input::io(dir, format!("cannot list the folder: {err}"))),
        }
    }
    children.sort();
    for (child, is_real_dir) in children {
        if is_real_dir {
            walk(&child, inputs);
        } else if has_scanned_extension(&child) {
            add_found(&child, inputs);
        }
    }
}

/// Whether the file name ends in `.apk` or `.dex` (ASCII case ignored), `.apk` itself included.
fn has_scanned_extension(path: &Path) -> bool {
    let Some(name) = path.file_name() else {
        return false;
    };
    let name = name.as_encoded_bytes();
    let Some(dot) = name.iter().rposition(|&b| b == b'.') else {
        return false;
    };
    let ext = name.get(dot.saturating_add(1)..).unwrap_or_default();
    SCANNED_EXTENSIONS
        .iter()
        .any(|s| ext.eq_ignore_ascii_case(s.as_bytes()))
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

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
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
        assert!(matches!(
            missing[0],
            Input::Unreadable { kind: KIND_IO, .. }
        ));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn whole_names_count_as_extensions() {
        for yes in [".apk", "a.apk", "A.APK", "x.dex", ".DEX", "a.b.apk"] {
            assert!(has_scanned_extension(Path::new(yes)), "{yes}");
        }
        for no in ["apk", "a.apks", "a.apk.txt", "dex", "a.", ""] {
            assert!(!has_scanned_extension(Path::new(no)), "{no}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn links_and_special_files_are_one_record_each_and_never_walked() {
        use std::os::unix::fs::symlink;
        let dir = std::env::temp_dir().join(format!("apkscope-links-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/real.apk"), b"").unwrap();
        fs::write(dir.join(".apk"), b"").unwrap();
        symlink(".", dir.join("sub/loop.apk")).unwrap();
        symlink("..", dir.join("sub/up.apk")).unwrap();
        symlink("sub", dir.join("linked")).unwrap();
        symlink("/dev/zero", dir.join("dev.apk")).unwrap();
        symlink("sub/real.apk", dir.join("good-link.apk")).unwrap();
        symlink("missing", dir.join("dangling.apk")).unwrap();
        let inputs = collect(std::slice::from_ref(&dir), None).unwrap();
        let got: Vec<(String, &str)> = inputs
            .iter()
            .map(|i| {
                let name = i.path().strip_prefix(&dir).unwrap().display().to_string();
                let kind = match i {
                    Input::File(_) => "file",
                    Input::Unreadable { kind, .. } => kind,
                };
                (name, kind)
            })
            .collect();
        let want = [
            (".apk", "file"),
            ("dangling.apk", KIND_IO),
            ("dev.apk", KIND_NOT_A_FILE),
            ("good-link.apk", "file"),
            ("sub/loop.apk", KIND_NOT_A_FILE),
            ("sub/real.apk", "file"),
            ("sub/up.apk", KIND_NOT_A_FILE),
        ];
        let want: Vec<(String, &str)> = want.iter().map(|(n, k)| ((*n).to_owned(), *k)).collect();
        assert_eq!(got, want);
        // A link to a folder named explicitly is walked.
        let named = collect(&[dir.join("linked")], None).unwrap();
        assert_eq!(named.len(), 3);
        assert_eq!(named[1], Input::File(dir.join("linked/real.apk")));
        // A device named explicitly is a record, not a read.
        let device = collect(&[PathBuf::from("/dev/null")], None).unwrap();
        assert!(matches!(
            device[0],
            Input::Unreadable {
                kind: KIND_NOT_A_FILE,
                ..
            }
        ));
        fs::remove_dir_all(&dir).unwrap();
    }
}
