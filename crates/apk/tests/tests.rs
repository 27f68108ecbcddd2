//! Integration tests: hostile zips from the testkit builder, the fuzz
//! seeds and regressions, and the real corpus (when present).

mod corpus;
mod fuzz_files;
mod limits;
mod skip;
mod tricks;

use apkscope_apk::{Apk, Options};

/// Small caps for never-panic runs over hostile inputs.
pub(crate) const SMALL: Options = Options {
    max_entry_size: 1 << 20,
    max_total_inflated: 8 << 20,
    max_entries: 10_000,
    deadline: None,
};

/// Opens `data` and reads every entry; returns the anomaly codes (open and
/// read) or the open error. Must never panic.
pub(crate) fn exercise(
    data: &[u8],
    options: Options,
) -> Result<(Vec<&'static str>, usize), apkscope_apk::Error> {
    let apk = Apk::parse_with(data, options)?;
    let mut codes: Vec<&'static str> = apk.anomalies().iter().map(|a| a.code).collect();
    let mut read_errors = 0;
    for e in apk.entries() {
        match apk.read_checked(e) {
            Ok(c) => codes.extend(c.anomalies.iter().map(|a| a.code)),
            Err(err) => {
                // Every error renders a message naming the entry.
                assert!(!err.to_string().is_empty());
                read_errors += 1;
            }
        }
    }
    let _ = apk.signing_block();
    Ok((codes, read_errors))
}
