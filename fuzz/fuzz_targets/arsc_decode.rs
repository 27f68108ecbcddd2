//! Decodes arbitrary bytes as `resources.arsc` and resolves a few IDs.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = apkscope_axml::arsc::parse(data) {
        for id in [0x7f01_0000, 0x7f02_0000, 0x7f01_0001, 0x0001_0000] {
            drop(t.resolve_string(id));
            drop(t.name(id));
            drop(t.value(id));
        }
    }
});
