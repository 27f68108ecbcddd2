//! The crate's only I/O: reading an input file into memory, safely, whatever the path names.
//!
//! Inputs are untrusted paths in folders other processes write to (upload spools, build
//! outputs), so opening one must never block, never read without bound and never let a change
//! to the file kill the process:
//!
//! - the file is opened with `O_NONBLOCK` (a FIFO named `x.apk` would otherwise block in
//!   `open` until a writer appears) and `O_NOCTTY`, then `fstat`ed on the open handle, so a
//!   path swapped between a check and the open cannot slip a FIFO, device or folder through:
//!   anything but a regular file is [`FileError::NotAFile`];
//! - its size is checked against the caller's limit before a byte is allocated, and exactly that
//!   many bytes are read: a file that shrinks or grows during the read (an upload still being
//!   written, a log rotated away) is an error, not a short or endless read;
//! - the bytes are read, not memory-mapped: a mapped file truncated by another process raises
//!   `SIGBUS` on the next touch of a lost page, which kills every scan of a batch, while a read
//!   copy cannot change under the parsers. Reading costs one copy, about 10 ms for a 42 MB APK
//!   against a 0.5 s scan (`benches/RESULTS.md`, "hostile").

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

/// Why an input file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The path could not be opened or its status read.
    #[error("cannot open the file: {0}")]
    Open(#[source] io::Error),
    /// The path is not a regular file.
    #[error("not a regular file but a {kind}")]
    NotAFile {
        /// What it is: `folder`, `FIFO`, `socket`, `character device`, `block device`.
        kind: &'static str,
    },
    /// The file is larger than the caller may hold.
    #[error("the file is {size} bytes, more than the {limit}-byte memory budget of one app")]
    TooLarge {
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file got shorter while it was read.
    #[error(
        "the file shrank from {expected} to {read} bytes while it was read (truncated or \
         replaced during the scan?)"
    )]
    Shrank {
        /// The size `fstat` gave.
        expected: u64,
        /// The bytes there were.
        read: u64,
    },
    /// The file got longer while it was read.
    #[error("the file grew past its {expected} bytes while it was read (still being written?)")]
    Grew {
        /// The size `fstat` gave.
        expected: u64,
    },
    /// Reading failed.
    #[error("cannot read the file: {0}")]
    Read(#[source] io::Error),
}

/// Reads the regular file at `path` into memory, refusing anything larger than `limit` bytes.
/// Symlinks to regular files are followed; see the module documentation for what is refused.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut file = open_regular(path)?;
    let size = file.metadata().map_err(FileError::Open)?.len();
    if size > limit {
        return Err(FileError::TooLarge { size, limit });
    }
    let len = usize::try_from(size).map_err(|_| FileError::TooLarge { size, limit })?;
    // Exactly the size fstat gave: `take` stops there, so the vector (allocated once, not
    // zeroed) never grows; a file cut short meanwhile ends early.
    let mut bytes = Vec::with_capacity(len);
    if let Err(err) = Read::by_ref(&mut file).take(size).read_to_end(&mut bytes) {
        return Err(FileError::Read(err));
    }
    if bytes.len() < len {
        return Err(FileError::Shrank {
            expected: size,
            read: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        });
    }
    let mut probe = [0u8; 1];
    loop {
        match file.read(&mut probe) {
            Ok(0) => return Ok(bytes),
            Ok(_) => return Err(FileError::Grew { expected: size }),
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(FileError::Read(err)),
        }
    }
}

/// Opens `path` for reading without blocking and makes sure, on the open handle, that it is a
/// regular file.
pub fn open_regular(path: &Path) -> Result<File, FileError> {
    let file = match open_nonblocking(path) {
        Ok(file) => file,
        Err(err) => {
            // A socket cannot be opened at all (ENXIO): say what it is rather than why `open`
            // failed.
            if let Ok(meta) = std::fs::metadata(path)
                && let Some(kind) = not_regular(&meta.file_type())
            {
                return Err(FileError::NotAFile { kind });
            }
            return Err(FileError::Open(err));
        }
    };
    let meta = file.metadata().map_err(FileError::Open)?;
    match not_regular(&meta.file_type()) {
        Some(kind) => Err(FileError::NotAFile { kind }),
        None => Ok(file),
    }
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).open(path)
}

/// What a file type is when it is not a regular file.
pub fn not_regular(file_type: &std::fs::FileType) -> Option<&'static str> {
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
    if file_type.is_symlink() {
        return Some("symbolic link");
    }
    Some("special file")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("apkscope-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn reads_regular_files_within_the_limit() {
        let dir = temp_dir("regular");
        let path = dir.join("a.apk");
        std::fs::write(&path, b"PK\x05\x06 bytes").unwrap();
        assert_eq!(read_file(&path, 100).unwrap(), b"PK\x05\x06 bytes");
        assert!(matches!(
            read_file(&path, 3),
            Err(FileError::TooLarge { size: 10, limit: 3 })
        ));
        let empty = dir.join("empty.apk");
        std::fs::write(&empty, b"").unwrap();
        assert!(read_file(&empty, 0).unwrap().is_empty());
        assert!(matches!(
            read_file(&dir.join("missing.apk"), 100),
            Err(FileError::Open(_))
        ));
        assert!(matches!(
            read_file(&dir, 100),
            Err(FileError::NotAFile { kind: "folder" })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = temp_dir("special");
        let fifo = dir.join("x.apk");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // No writer ever opens it: a blocking open would hang here.
            assert!(matches!(
                read_file(&fifo, 100),
                Err(FileError::NotAFile { kind: "FIFO" })
            ));
        }
        assert!(matches!(
            read_file(Path::new("/dev/zero"), u64::MAX),
            Err(FileError::NotAFile {
                kind: "character device"
            })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
