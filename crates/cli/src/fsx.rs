//! Files read and written in folders other processes share (a cache on a shared volume, an
//! output folder, an upload spool): reading never blocks on a FIFO or device and never reads
//! without bound; creating never follows a planted symbolic link; a file appears under its
//! final name whole or not at all.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read as _, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

/// Temporary files start with this (hidden, and recognisably apkscope's) …
const TEMP_PREFIX: &str = ".apkscope-";
/// … and end with this.
const TEMP_SUFFIX: &str = ".tmp";
/// Attempts at a fresh temporary name before giving up (a name is only taken when a process
/// that had the same id crashed and left its file).
const TEMP_ATTEMPTS: u32 = 16;
/// How long a temporary file may stay untouched before a later run deletes it: another
/// process sharing the folder may be writing one right now (writes take well under a second;
/// the margin covers a stopped or swapped-out process).
pub(crate) const STALE_TEMP_GRACE: Duration = Duration::from_secs(10 * 60);

/// Numbers temporary files: unique per process and per write (two threads may write at once).
static TEMPS: AtomicU64 = AtomicU64::new(0);

/// Reads the regular file at `path`, at most `limit` bytes. Opened without blocking (a FIFO
/// would otherwise wait for a writer) and checked on the open handle, so a FIFO, socket, device
/// or folder is an error, never a read that blocks or never ends.
pub(crate) fn read_regular(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = apkscope_engine::open_regular(path).map_err(|err| match err {
        apkscope_engine::FileError::Open(err) => err,
        other => io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{}: {other}", path.display()),
        ),
    })?;
    let meta = file.metadata()?;
    if meta.len() > limit {
        return Err(too_large(path, limit));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // Bounded even if the file grows while it is read.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > limit) {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: larger than {limit} bytes", path.display()),
    )
}

/// Creates a new file that did not exist, never through a symbolic link.
#[cfg(unix)]
fn create_new_nofollow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
}

#[cfg(not(unix))]
fn create_new_nofollow(path: &Path) -> io::Result<File> {
    // `create_new` is O_EXCL: it fails on an existing name, a symbolic link included.
    OpenOptions::new().write(true).create_new(true).open(path)
}

/// A fresh temporary file in `dir` (`.apkscope-<pid>-<n>.tmp`), created exclusively.
fn create_temp(dir: &Path) -> io::Result<(File, PathBuf)> {
    let mut taken = None;
    for _ in 0..TEMP_ATTEMPTS {
        let n = TEMPS.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(
            "{TEMP_PREFIX}{}-{n}{TEMP_SUFFIX}",
            std::process::id()
        ));
        match create_new_nofollow(&path) {
            Ok(file) => return Ok((file, path)),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => taken = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(taken.unwrap_or_else(|| io::Error::other("no free temporary file name")))
}

/// Writes `target` whole or not at all: `write` fills a temporary file created in `temp_dir`
/// (exclusively, never through a symbolic link), which is then renamed over `target`. A rename
/// replaces whatever directory entry `target` was — a symbolic link planted there is replaced,
/// the file it pointed to is untouched. `temp_dir` must be on `target`'s file system.
pub(crate) fn write_via_temp(
    temp_dir: &Path,
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let (file, temp) = create_temp(temp_dir)?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out).and_then(|()| out.flush()).and_then(|()| {
        drop(out);
        fs::rename(&temp, target)
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Deletes apkscope's temporary files in `dir` last modified before `before` (a killed run's
/// leftovers); returns how many. Failures are ignored: another process may have swept them.
pub(crate) fn sweep_stale_temps(dir: &Path, before: SystemTime) -> usize {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut swept = 0usize;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)) {
            continue;
        }
        // Not followed: a link is judged (and removed) itself.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if meta.is_dir() || meta.modified().map_or(true, |at| at >= before) {
            continue;
        }
        if fs::remove_file(entry.path()).is_ok() {
            swept = swept.saturating_add(1);
        }
    }
    swept
}

/// The cut-off for [`sweep_stale_temps`]: `now` minus the grace period.
pub(crate) fn stale_before(now: SystemTime) -> SystemTime {
    now.checked_sub(STALE_TEMP_GRACE)
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("apkscope-fsx-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_regular_files_within_the_limit_only() {
        let dir = temp_dir("read");
        let file = dir.join("a.json");
        fs::write(&file, b"0123456789").unwrap();
        assert_eq!(read_regular(&file, 10).unwrap(), b"0123456789");
        assert!(read_regular(&file, 9).is_err());
        assert!(read_regular(&dir, 100).is_err());
        assert!(read_regular(Path::new("/dev/zero"), 100).is_err());
        #[cfg(unix)]
        {
            let fifo = dir.join("fifo.json");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // No writer ever opens it: a blocking open would hang here.
                assert!(read_regular(&fifo, 100).is_err());
            }
        }
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn writes_replace_a_planted_link_and_leave_its_target_alone() {
        let dir = temp_dir("write");
        let victim = dir.join("victim.txt");
        fs::write(&victim, b"precious").unwrap();
        let out = dir.join("out");
        fs::create_dir(&out).unwrap();
        let target = out.join("report.json");
        std::os::unix::fs::symlink(&victim, &target).unwrap();
        write_via_temp(&out, &target, |w| w.write_all(b"report")).unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"precious");
        assert!(target.symlink_metadata().unwrap().is_file());
        assert_eq!(fs::read(&target).unwrap(), b"report");
        // A failed write leaves no temporary file and no target.
        let failed = out.join("failed.json");
        let err = write_via_temp(&out, &failed, |_| Err(io::Error::other("disk full")));
        assert!(err.is_err());
        assert!(!failed.exists());
        let names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["report.json"]);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn only_old_temporary_files_are_swept() {
        let dir = temp_dir("sweep");
        let now = SystemTime::now();
        let old = dir.join(".apkscope-1-1.tmp");
        let fresh = dir.join(".apkscope-1-2.tmp");
        let other = dir.join("keep.tmp");
        for path in [&old, &fresh, &other] {
            fs::write(path, b"x").unwrap();
        }
        let an_hour_ago = now.checked_sub(Duration::from_secs(3600)).unwrap();
        for path in [&old, &other] {
            File::options()
                .write(true)
                .open(path)
                .unwrap()
                .set_modified(an_hour_ago)
                .unwrap();
        }
        assert_eq!(sweep_stale_temps(&dir, stale_before(now)), 1);
        assert!(!old.exists());
        assert!(fresh.exists() && other.exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
