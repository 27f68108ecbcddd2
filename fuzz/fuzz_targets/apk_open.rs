//! Opens arbitrary bytes as an APK, then reads every entry with small caps.
#![no_main]

use apkscope_apk::{Apk, Options};
use libfuzzer_sys::fuzz_target;

const OPTIONS: Options =
    Options { max_entry_size: 1 << 20, max_total_inflated: 4 << 20, max_entries: 4096 };

fuzz_target!(|data: &[u8]| {
    if let Ok(apk) = Apk::parse_with(data, OPTIONS) {
        for entry in apk.entries() {
            let _ = apk.read_checked(entry);
        }
        let _ = apk.entry("AndroidManifest.xml");
        let _ = apk.signing_block();
    }
});
